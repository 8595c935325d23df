// The demo host page: everything a host-page developer would write against ServisBot.init().
(function () {
  'use strict';
  var api = ServisBot.init({ organization: 'acme', endpoint: 'acme-demo', context: { page: 'demo-shop' } });
  var log = document.getElementById('event-log');

  function record(name, payload) {
    var item = document.createElement('li');
    var time = new Date().toLocaleTimeString();
    item.textContent = time + '  ' + name + '  ' + (typeof payload === 'string' ? payload : JSON.stringify(payload));
    log.prepend(item);
  }

  api.on('Messenger', function (event) {
    record('Messenger', event);
  });
  api.on('notification', function (message) {
    record('notification', message);
    // The demo bot hands the pushback link to the page so the form below can play the external service.
    if (message.indexOf('pushback:') === 0) setLink(message.slice('pushback:'.length));
  });

  document.querySelectorAll('[data-call]').forEach(function (button) {
    button.addEventListener('click', function () {
      api[button.getAttribute('data-call')]();
    });
  });

  document.querySelectorAll('[data-page-event]').forEach(function (button) {
    button.addEventListener('click', function () {
      var alias = button.getAttribute('data-page-event');
      var body = button.getAttribute('data-body');
      var event = body ? { alias: alias, body: JSON.parse(body) } : alias;
      api.pageEvent(event).then(
        function () { record('pageEvent accepted', event); },
        function (error) { record('pageEvent failed', String(error && error.message)); },
      );
    });
  });

  var form = document.getElementById('pushback-form');
  var linkInput = document.getElementById('pushback-link');
  var textInput = document.getElementById('pushback-text');
  var curl = document.getElementById('pushback-curl');
  var status = document.getElementById('pushback-status');

  function setLink(link) {
    linkInput.value = link;
    showCurl();
  }
  function showCurl() {
    var body = JSON.stringify({ text: textInput.value });
    curl.textContent = linkInput.value
      ? "curl -X POST '" + linkInput.value + "' \\\n  -H 'Content-Type: application/json' \\\n  -d '" + body.replace(/'/g, "'\\''") + "'"
      : '';
  }
  textInput.addEventListener('input', showCurl);
  linkInput.addEventListener('input', showCurl);

  // The external event form: what a CRM would send to every visitor (docs/http-api.md).
  var eventForm = document.getElementById('event-form');
  var eventKey = document.getElementById('event-key');
  var eventName = document.getElementById('event-name');
  var eventText = document.getElementById('event-text');
  var eventCurl = document.getElementById('event-curl');
  var eventStatus = document.getElementById('event-status');

  function eventUrl() {
    return location.origin + '/api/v1/events/' + encodeURIComponent(eventName.value);
  }
  function eventBody() {
    return JSON.stringify({ platform: 'any', users: 'everyone', data: { text: eventText.value } });
  }
  // The key stays out of the printed command: the shell reads it from the environment.
  function showEventCurl() {
    eventCurl.textContent =
      "curl -X POST '" + eventUrl() + "' \\\n" +
      '  -H "Authorization: Bearer $ROUNDEL_API_KEY" \\\n' +
      "  -H 'Content-Type: application/json' \\\n" +
      "  -d '" + eventBody().replace(/'/g, "'\\''") + "'";
  }
  eventName.addEventListener('input', showEventCurl);
  eventText.addEventListener('input', showEventCurl);
  showEventCurl();

  eventForm.addEventListener('submit', function (event) {
    event.preventDefault();
    eventStatus.textContent = 'Sending…';
    fetch(eventUrl(), {
      method: 'POST',
      headers: { Authorization: 'Bearer ' + eventKey.value.trim(), 'Content-Type': 'application/json' },
      body: eventBody(),
    })
      .then(function (response) {
        return response.json().then(function (body) {
          eventStatus.textContent = response.status + ' ' + JSON.stringify(body);
        });
      })
      .catch(function (error) {
        eventStatus.textContent = 'Failed: ' + error.message;
      });
  });

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    status.textContent = 'Sending…';
    fetch(linkInput.value, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: textInput.value }),
    })
      .then(function (response) {
        return response.json().then(function (body) {
          status.textContent = response.status + ' ' + JSON.stringify(body);
        });
      })
      .catch(function (error) {
        status.textContent = 'Failed: ' + error.message;
      });
  });
})();
