(function(js, wasm) {
  var root = document.documentElement;
  if (typeof WebAssembly !== 'object') {
    root.dataset.js = 'failed';
    return;
  }
  root.dataset.js = 'loading';
  var compiled = WebAssembly.compileStreaming ? WebAssembly.compileStreaming(fetch(wasm)) : wasm;
  if (compiled.catch) compiled.catch(function() {});
  var childrenCallbacks = [];
  function walk(parent, m) {
    for (var el = parent.firstElementChild; el; el = el.nextElementSibling) {
      var tag = el.localName;
      if (tag === 'leptos-island') {
        var island = m[el.dataset.component];
        if (island) {
          var enter = childrenCallbacks[childrenCallbacks.length - 1];
          if (enter) enter();
          island(el);
        } else {
          console.warn('Could not find WASM function for the island ' + el.dataset.component);
        }
      }
      if (tag === 'leptos-children') {
        childrenCallbacks.push(el.$$on_hydrate);
        walk(el, m);
        childrenCallbacks.pop();
      } else {
        walk(el, m);
      }
    }
  }
  var started = false;
  function hydrate() {
    if (started) return;
    started = true;
    import(js).then(function(m) {
      return m.default({ module_or_path: compiled }).then(function() {
        m.hydrate();
        walk(document.body, m);
        root.dataset.js = 'ready';
      });
    }).catch(function(error) {
      root.dataset.js = 'failed';
      console.warn('The page could not load its code', error);
    });
  }
  function afterPaint() {
    var types = (window.PerformanceObserver && PerformanceObserver.supportedEntryTypes) || [];
    if (types.indexOf('paint') < 0) {
      requestAnimationFrame(function() { setTimeout(hydrate, 0); });
    } else if (performance.getEntriesByName('first-contentful-paint').length > 0) {
      hydrate();
    } else {
      new PerformanceObserver(function(list, observer) {
        if (list.getEntriesByName('first-contentful-paint').length > 0) {
          observer.disconnect();
          hydrate();
        }
      }).observe({ type: 'paint', buffered: true });
      // A page that is not painted (a tab opened in the background) gets no such entry.
      setTimeout(hydrate, 2000);
    }
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', afterPaint);
  else afterPaint();
})
