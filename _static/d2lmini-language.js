/* d2lmini book: a link in the page header to the same page in the other edition.
 *
 * The English book is the site's root and the Chinese one lives under zh/ (README, `make book`):
 * chapters/NAME.html <-> zh/chapters/NAME.html. Each page names its language on <html lang>
 * (Sphinx's `language`), so one script serves both books: English pages get "中文", Chinese
 * pages "English". Pages outside chapters/ (search, index) get no link.
 */
(function () {
  function counterpart() {
    var match = window.location.pathname.match(/chapters\/([^\/]+\.html)$/);
    if (!match) return null;
    var chinese = (document.documentElement.lang || '').toLowerCase().indexOf('zh') === 0;
    return chinese
      ? { href: '../../chapters/' + match[1], text: 'English', lang: 'en' }
      : { href: '../zh/chapters/' + match[1], text: '中文', lang: 'zh-CN' };
  }
  function init() {
    var target = counterpart();
    var bar = document.querySelector('.article-header-buttons');
    if (!target || !bar || bar.querySelector('.d2l-language')) return;
    var link = document.createElement('a');
    link.className = 'btn btn-sm d2l-language';
    link.href = target.href;
    link.hreflang = target.lang;
    link.lang = target.lang;
    link.textContent = target.text;
    link.title = target.lang === 'en' ? 'Read this page in English' : '阅读本页的中文版';
    bar.insertBefore(link, bar.firstChild);
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
