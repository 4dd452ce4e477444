(function(root) {
  function show(region, html, words) {
    region.textContent = '';
    region.hidden = false;
    if (words) {
      var error = document.createElement('p');
      error.className = 'notice-error';
      error.setAttribute('role', 'alert');
      error.textContent = words;
      region.appendChild(error);
      return;
    }
    var heading = document.createElement('p');
    heading.className = 'preview-heading';
    heading.textContent = 'How it will look';
    var body = document.createElement('div');
    body.className = 'event-body';
    body.innerHTML = html;
    region.appendChild(heading);
    region.appendChild(body);
  }
  root.addEventListener('click', function(event) {
    var button = event.target.closest ? event.target.closest('button[data-preview]') : null;
    var form = button && button.closest('form');
    var text = form && form.querySelector('textarea');
    var region = button && button.nextElementSibling;
    if (!text || !region || button.getAttribute('aria-busy') === 'true') return;
    if (!text.value.trim()) return show(region, '', 'Write something to preview first.');
    button.setAttribute('aria-busy', 'true');
    var body = new URLSearchParams({ content: text.value, is_post: button.dataset.preview === 'post' });
    fetch('/_fn/preview', { method: 'POST', body: body }).then(function(response) {
      return response.json().then(function(answer) {
        if (response.ok && typeof answer === 'string') return show(region, answer);
        var why = answer && answer.BadRequest;
        show(region, '', 'The preview could not be made. ' + (why || 'Something went wrong on the server. Please try again in a moment.'));
      });
    }).catch(function() {
      show(region, '', 'The preview could not be made. Check your connection and try again.');
    }).finally(function() {
      button.removeAttribute('aria-busy');
    });
  });
})
