"""The Chinese edition, generated from the English chapters and the translations kept beside them.

    python zh/generate.py            write zh/_toc.yml, zh/chapters/*.ipynb, zh/chapters/intro.md
    python zh/generate.py --check    exit 1 (and say why) if any of them is out of date, or if an
                                     English markdown cell has no translation or a stale one
    python zh/generate.py --todo [NAME ...]
                                     add an entry for every untranslated English cell to its
                                     translation file (with the old translation, if the English
                                     changed), for a translator to fill in; naming a chapter
                                     starts its translation file
The Chinese book holds the chapters whose translation has started (the intro first).

One source of truth: the English notebooks. A translation file `zh/translations/NAME.yml` holds,
for each markdown cell of `chapters/NAME.ipynb` (or each block of `intro.md`, or each caption of
`_toc.yml`), the English source it was made from, its key (a hash of that source) and the Chinese.
The Chinese notebook is the English one with each markdown cell replaced by its translation, and
the Colab/Kaggle links pointed at the Chinese notebook; code cells and their outputs are the
English ones, so nothing is re-executed and nbval checks one edition. When an English cell
changes, its key changes: the old entry is stale and `--check` fails until it is translated again.
"""
import argparse
import copy
import hashlib
import re
import sys
from pathlib import Path

import nbformat
import yaml

REPO = Path(__file__).resolve().parents[1]
ZH = REPO / 'zh'
TRANSLATIONS = ZH / 'translations'
CHAPTER_LINK = re.compile(r'(github(?:\.com)?/d2lmini/d2lmini/blob/main/)chapters/')
TOC_FILE = '_toc'
INTRO = 'intro'


def key(text):
    """The key of an English source: the first 12 hex digits of its SHA-1."""
    return hashlib.sha1(text.encode('utf-8')).hexdigest()[:12]


# ----------------------------------------------------------------------------- English sources

def toc():
    return yaml.safe_load((REPO / '_toc.yml').read_text(encoding='utf-8'))


def chapter_names():
    """The chapters of the English table of contents, in its order (intro first)."""
    names = []

    def walk(entries):
        for entry in entries or []:
            if 'file' in entry:
                names.append(Path(entry['file']).name)
            walk(entry.get('sections'))
    book = toc()
    names.append(Path(book['root']).name)
    for part in book.get('parts', []):
        walk(part.get('chapters'))
    return names


def markdown_blocks(text):
    """Split a Markdown file into blocks at blank lines, never inside a fenced code block."""
    blocks, current, fenced = [], [], False
    for line in text.split('\n'):
        if line.lstrip().startswith('```'):
            fenced = not fenced
        if not line.strip() and not fenced:
            if current:
                blocks.append('\n'.join(current))
                current = []
            continue
        current.append(line)
    if current:
        blocks.append('\n'.join(current))
    return blocks


def sources(name):
    """The English texts to translate for `name`, in order."""
    if name == TOC_FILE:
        return [part['caption'] for part in toc().get('parts', []) if part.get('caption')]
    if name == INTRO:
        return markdown_blocks((REPO / 'chapters' / 'intro.md').read_text(encoding='utf-8'))
    nb = nbformat.read(REPO / 'chapters' / f'{name}.ipynb', as_version=4)
    return [cell.source for cell in nb.cells if cell.cell_type == 'markdown']


# ----------------------------------------------------------------------------- translation files

def _literal(text, indent):
    """`text` as a YAML literal block at `indent` spaces (exact: any line, any trailing newlines)."""
    if text == '':
        return "''"
    chomp = '+' if text.endswith('\n') else '-'
    body = text[:-1] if text.endswith('\n') else text
    lines = body.split('\n')
    pad = ' ' * indent
    return f'|2{chomp}\n' + '\n'.join((pad + line) if line else '' for line in lines)


def dump_entries(entries):
    """The translation file's text: a list of {key, en, zh[, was]} in the English order."""
    out = ['# Generated keys; edit only the zh: texts (see zh/generate.py). Each en: is the English',
           '# source the translation was made from.']
    for entry in entries:
        out.append(f"- key: '{entry['key']}'")
        for field in ('en', 'zh', 'was'):
            if field in entry:
                out.append(f"  {field}: {_literal(entry[field], 4)}")
    return '\n'.join(out) + '\n'


def load_entries(name):
    path = TRANSLATIONS / f'{name}.yml'
    if not path.exists():
        return []
    entries = yaml.safe_load(path.read_text(encoding='utf-8')) or []
    for entry in entries:
        if entry.get('key') != key(entry.get('en', '')):
            raise SystemExit(f"{path}: the entry whose en: starts {entry.get('en', '')[:40]!r} has key "
                             f"{entry.get('key')!r}, not {key(entry.get('en', ''))!r}: keys are generated, "
                             f"do not edit them (or the en: texts)")
    return entries


def problems(name):
    """(missing, stale) for one file: English texts with no translation, translations of old texts."""
    texts = sources(name)
    done = {e['key']: e for e in load_entries(name) if (e.get('zh') or '').strip()}
    missing = [t for t in texts if key(t) not in done]
    wanted = {key(t) for t in texts}
    stale = [e for e in done.values() if e['key'] not in wanted]
    return missing, stale


def translate(name):
    """The Chinese of each English text of `name`, in order; raises SystemExit naming what is missing."""
    texts = sources(name)
    done = {e['key']: e['zh'] for e in load_entries(name) if (e.get('zh') or '').strip()}
    missing = [t for t in texts if key(t) not in done]
    if missing:
        raise SystemExit(f"zh/translations/{name}.yml: {len(missing)} English text(s) have no "
                         f"translation, the first: {missing[0][:80]!r}. Run `python zh/generate.py --todo`.")
    return [done[key(t)] for t in texts]


def add_todo(name):
    """Rewrite the translation file in English order, with empty entries for untranslated texts.

    An English text that replaced a translated one (same position among the markdown cells) gets
    the old English and Chinese as `was`, so the translator sees what changed.
    """
    old = load_entries(name)
    by_key = {e['key']: e for e in old}
    texts = sources(name)
    orphans = [e for e in old if e['key'] not in {key(t) for t in texts}]
    entries = []
    for text in texts:
        if key(text) in by_key and (by_key[key(text)].get('zh') or '').strip():
            entries.append(by_key[key(text)])
            continue
        entry = {'key': key(text), 'en': text, 'zh': ''}
        if orphans:
            previous = orphans.pop(0)
            entry['was'] = f"EN: {previous['en']}\n\nZH: {previous.get('zh', '')}"
        entries.append(entry)
    TRANSLATIONS.mkdir(parents=True, exist_ok=True)
    (TRANSLATIONS / f'{name}.yml').write_text(dump_entries(entries), encoding='utf-8')
    return sum(1 for e in entries if not e['zh'].strip())


# ----------------------------------------------------------------------------- generated files

def zh_links(text):
    """Colab/Kaggle links of a Chinese page open the Chinese notebook."""
    return CHAPTER_LINK.sub(r'\1zh/chapters/', text)


def chapter_notebook(name):
    nb = nbformat.read(REPO / 'chapters' / f'{name}.ipynb', as_version=4)
    nb = copy.deepcopy(nb)
    translations = iter(translate(name))
    for cell in nb.cells:
        if cell.cell_type == 'markdown':
            cell.source = zh_links(next(translations))
    return nbformat.writes(nb) + '\n'


def intro_markdown():
    return zh_links('\n\n'.join(translate(INTRO))) + '\n'


def toc_yaml():
    book = toc()
    captions = iter(translate(TOC_FILE))
    started = set(started_names())
    for part in book.get('parts', []):
        if part.get('caption'):
            part['caption'] = next(captions)
        part['chapters'] = [c for c in part.get('chapters', []) if Path(c['file']).name in started]
    book['parts'] = [part for part in book.get('parts', []) if part['chapters']]
    header = '# Generated by zh/generate.py from ../_toc.yml and zh/translations/_toc.yml: do not edit.\n'
    return header + yaml.safe_dump(book, allow_unicode=True, sort_keys=False)


def generated():
    """{path: text} of every generated file (images are copied as bytes)."""
    files = {ZH / '_toc.yml': toc_yaml()}
    for name in started_names():
        if name == INTRO:
            files[ZH / 'chapters' / 'intro.md'] = intro_markdown()
        else:
            files[ZH / 'chapters' / f'{name}.ipynb'] = chapter_notebook(name)
    for image in sorted((REPO / 'chapters' / 'images').glob('*')):
        files[ZH / 'chapters' / 'images' / image.name] = image.read_bytes()
    return files


def started_names():
    """The chapters whose translation has begun (a file in zh/translations/), in the book's order.

    The Chinese book holds these pages only, so it can grow a chapter at a time; `--check`
    requires each of them to be complete and current.
    """
    return [n for n in chapter_names() if (TRANSLATIONS / f'{n}.yml').exists()]


def check():
    """Every problem, as lines; empty when the Chinese edition is complete and current."""
    lines = []
    if started_names() and INTRO not in started_names():
        lines.append("zh/translations/intro.yml is missing: the Chinese book starts with the intro")
    for name in [TOC_FILE] + started_names():
        missing, stale = problems(name)
        for text in missing:
            lines.append(f"zh/translations/{name}.yml: untranslated: {text[:70]!r}")
        for entry in stale:
            lines.append(f"zh/translations/{name}.yml: stale (its English changed or went): "
                         f"{entry['en'][:70]!r}")
    if lines:
        return lines + ["run `python zh/generate.py --todo`, translate the empty zh: entries, "
                        "then `python zh/generate.py`"]
    for path, text in generated().items():
        current = path.read_bytes() if path.exists() else None
        wanted = text if isinstance(text, bytes) else text.encode('utf-8')
        if current != wanted:
            lines.append(f"{path.relative_to(REPO)} is out of date: run `python zh/generate.py`")
    return lines


def write():
    files = generated()
    wanted = {p for p in files if p.suffix == '.ipynb'}
    for old in (ZH / 'chapters').glob('*.ipynb'):
        if old not in wanted:
            old.unlink()
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + '.tmp')
        if isinstance(text, bytes):
            tmp.write_bytes(text)
        else:
            tmp.write_text(text, encoding='utf-8')
        tmp.replace(path)
    print(f"wrote {len(files)} files under zh/")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument('--check', action='store_true', help='report problems, change nothing')
    group.add_argument('--todo', action='store_true', help='add empty entries for untranslated texts')
    parser.add_argument('names', nargs='*', help="with --todo: chapters to start or update "
                        "(default: the toc's captions and every chapter already started)")
    args = parser.parse_args(argv)
    if args.check:
        lines = check()
        print('\n'.join(lines) if lines else 'zh: every page translated and current')
        return 1 if lines else 0
    if args.todo:
        names = args.names or [TOC_FILE] + started_names()
        for name in names:
            left = add_todo(name)
            if left:
                print(f"zh/translations/{name}.yml: {left} to translate")
        return 0
    write()
    return 0


if __name__ == '__main__':
    sys.exit(main())
