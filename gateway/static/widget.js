/* Apuri-chat for any website: <script src="https://APURI-HOST/widget.js"></script>
 *
 * Puts the same chat as the Apuri page into a shadow root at the end of <body>, so the host
 * page's styles do not break it and its styles do not leak out. It loads /static/apuri.css
 * into the shadow root and /static/apuri.js (ApuriChat.mount) once, from the server that
 * served this file, and calls the API there.
 */
(function () {
  "use strict";

  if (window.__apuriWidget) {
    return;
  }
  window.__apuriWidget = true;

  var PHONE = "{{PHONE}}";
  var PHONE_E164 = "{{PHONE_E164}}";

  function ownScript() {
    if (document.currentScript && document.currentScript.src) {
      return document.currentScript;
    }
    var scripts = document.getElementsByTagName("script");
    for (var i = scripts.length - 1; i >= 0; i -= 1) {
      if (/\/widget\.js(\?|#|$)/.test(scripts[i].src)) {
        return scripts[i];
      }
    }
    return null;
  }

  var script = ownScript();
  var base = script ? new URL(script.src, document.baseURI).origin : window.location.origin;

  function loadScript(callback) {
    if (window.ApuriChat) {
      callback();
      return;
    }
    var tag = document.createElement("script");
    tag.src = base + "/static/apuri.js";
    tag.async = true;
    tag.addEventListener("load", function () {
      callback();
    });
    tag.addEventListener("error", function () {
      callback(new Error("apuri.js"));
    });
    (document.head || document.documentElement).appendChild(tag);
  }

  /** Without the script the widget still offers the human: the call link alone. */
  function fallback(container) {
    var link = document.createElement("a");
    link.className = "apuri-call";
    link.href = "tel:" + PHONE_E164;
    link.textContent = "Soita ihmiselle";
    var box = document.createElement("div");
    box.className = "apuri apuri--widget is-collapsed";
    var bar = document.createElement("div");
    bar.className = "apuri-bar";
    bar.appendChild(link);
    box.appendChild(bar);
    container.appendChild(box);
  }

  function start() {
    var host = document.createElement("apuri-chat");
    host.setAttribute("data-apuri-widget", "");
    var shadow = host.attachShadow({ mode: "open" });
    var style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = base + "/static/apuri.css";
    var container = document.createElement("div");
    container.hidden = true; // shown once the styles are in, so it never flashes unstyled
    shadow.appendChild(style);
    shadow.appendChild(container);
    document.body.appendChild(host);

    var styled = false;
    var mounted = false;
    function show() {
      if (styled && mounted) {
        container.hidden = false;
      }
    }
    function styleDone() {
      styled = true;
      show();
    }
    style.addEventListener("load", styleDone);
    style.addEventListener("error", styleDone);

    loadScript(function (failed) {
      if (failed || !window.ApuriChat) {
        fallback(container);
      } else {
        window.ApuriChat.mount(container, {
          base: base,
          mode: "widget",
          phone: PHONE,
          phoneE164: PHONE_E164,
          storage: "apuri-widget:" + base + ":",
        });
      }
      mounted = true;
      show();
    });
  }

  if (document.body) {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
