(function(link, status) {
  var list = link.previousElementSibling;
  link.addEventListener('click', function(event) {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    if (link.getAttribute('aria-busy') === 'true') return;
    link.setAttribute('aria-busy', 'true');
    status.textContent = 'Loading more…';
    fetch(link.href, { headers: { Accept: 'text/html' } }).then(function(response) {
      if (!response.ok) throw new Error('status ' + response.status);
      return response.text();
    }).then(function(html) {
      var page = new DOMParser().parseFromString(html, 'text/html');
      var next = page.querySelector('a.load-more');
      var more = page.querySelector('ol.event-list');
      var items = more ? more.children : [];
      var added = 0;
      var first = null;
      while (items.length > 0) {
        var item = document.adoptNode(items[0]);
        first = first || item;
        list.appendChild(item);
        added++;
      }
      if (next) link.href = next.href;
      else link.remove();
      status.textContent = added === 0 ? 'There is nothing more.' : added + ' more loaded.';
      var target = first && first.querySelector('a[href]');
      if (target) target.focus();
    }).catch(function() {
      status.textContent = 'More could not be loaded. Check your connection and try again.';
    }).finally(function() {
      link.removeAttribute('aria-busy');
    });
  });
})
