/* Apuri web chat: one small script for the page (/) and the embedded widget (/widget.js).
 *
 * ApuriChat.mount(container, options) builds the chat inside `container` (an element of the
 * page, or of the widget's shadow root) and talks to the gateway at options.base (contract §6).
 * Every text goes in with textContent or createTextNode: markup in a message is shown, never run.
 */
(function () {
  "use strict";

  if (window.ApuriChat) {
    return;
  }

  var MAX_TEXT = 2000; // characters in one message (contract §6)
  var MAX_SAVED = 200; // messages kept in localStorage for one conversation

  var T = {
    title: "Apuri",
    widgetTitle: "Apuri-chat",
    call: "Soita ihmiselle",
    log: "Keskustelu",
    label: "Viesti",
    hint: "Kirjoita kysymys ja paina Enter. Vaihto + Enter tekee uuden rivin.",
    send: "Lähetä",
    speak: "Puhu",
    restart: "Aloita alusta",
    statement: "Saavutettavuusseloste",
    emergency: "Hätätilanteessa soita 112.",
    you: "Sinä",
    bot: "Apuri",
    human: "Yhteyshenkilö",
    choices: "Vastausvaihtoehdot",
    newTab: " (avautuu uuteen välilehteen)",
    typing: "Apuri kirjoittaa…",
    empty: "Kirjoita viesti ennen kuin lähetät sen.",
    tooLong: "Viesti on liian pitkä. Kirjoita enintään 2000 merkkiä.",
    restarted: "Uusi keskustelu aloitettu. Edellinen keskustelu poistettiin tästä selaimesta.",
    noSpeech:
      "Puhe ei ole vielä käytettävissä. Kirjoita viesti kenttään Viesti tai soita ihmiselle.",
    intro:
      "Kysy Apurilta järjestöistä, palveluista, digituesta, tapahtumista, avustuksista ja " +
      "tiloista. Apuri vastaa lyhyesti. Ihminen on aina lähellä: ",
    network: function (phone) {
      return (
        "Viesti ei mennyt perille, koska yhteys Apuriin ei toimi. " +
        "Yritä hetken päästä uudelleen" +
        (phone ? " tai soita ihmiselle, puh. " + phone : "") +
        "."
      );
    },
    failed: function (phone) {
      return (
        "Apuri ei pystynyt vastaamaan. Yritä hetken päästä uudelleen" +
        (phone ? " tai soita ihmiselle, puh. " + phone : "") + "."
      );
    },
  };

  var ICONS = {
    phone:
      "M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 " +
      "0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 " +
      "2.45.57 3.57a1 1 0 0 1-.25 1z",
    mic:
      "M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 " +
      "6 6.92V21h2v-3.08A7 7 0 0 0 19 11z",
    chevron: "M7.4 8.6 12 13.2l4.6-4.6L18 10l-6 6-6-6z",
  };

  var counter = 0;

  /** An element with attributes and children; strings become text nodes (never markup). */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === true) {
        node.setAttribute(name, "");
      } else if (value !== false && value !== null && value !== undefined) {
        node.setAttribute(name, String(value));
      }
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function icon(name) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "apuri-icon");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", ICONS[name]);
    path.setAttribute("fill", "currentColor");
    svg.appendChild(path);
    return svg;
  }

  function uid(name) {
    counter += 1;
    return "apuri-" + name + "-" + counter;
  }

  /** A conversation id the server accepts (A-Za-z0-9_-, ≤ 64): 32 random hex digits. */
  function newConversation() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("");
  }

  /** localStorage when the browser allows it, else memory for this page view only. */
  function makeStore(prefix) {
    var memory = {};
    function get(key) {
      try {
        return window.localStorage.getItem(prefix + key);
      } catch (err) {
        return Object.prototype.hasOwnProperty.call(memory, key) ? memory[key] : null;
      }
    }
    function set(key, value) {
      memory[key] = value;
      try {
        window.localStorage.setItem(prefix + key, value);
      } catch (err) {
        /* private mode or full: memory only */
      }
    }
    return { get: get, set: set };
  }

  /** Finnish numbers as tel: links ("040 555 0102" → +358405550102; 112 stays 112). */
  function telHref(number) {
    var digits = number.replace(/[^\d+]/g, "");
    if (digits.charAt(0) === "0" && digits.length > 4) {
      digits = "+358" + digits.slice(1);
    }
    return "tel:" + digits;
  }

  // group 1: a web address; group 2: a phone number ("040 555 0102", "+358 40 555 0102", 112)
  var RICH = new RegExp(
    "(https?://[^\\s<>\"']+)|" +
      "(\\+358(?:[ -]?\\d){6,11}|\\b0\\d{1,3}(?:[ -]\\d{2,4}){1,3}\\b|\\b112\\b)",
    "g"
  );

  /** Text with web addresses and phone numbers as links; everything else as plain text. */
  function appendRich(parent, text) {
    var last = 0;
    var match;
    RICH.lastIndex = 0;
    while ((match = RICH.exec(text)) !== null) {
      var found = match[0];
      var href;
      if (match[1]) {
        found = found.replace(/[.,;:!?)]+$/, "");
        href = found;
      } else {
        href = telHref(found);
      }
      if (match.index > last) {
        parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      }
      var link = el("a", { href: href }, [found]);
      if (match[1]) {
        link.setAttribute("rel", "noopener noreferrer");
        link.setAttribute("target", "_blank");
        link.appendChild(el("span", { class: "apuri-vh" }, [T.newTab]));
      }
      parent.appendChild(link);
      last = match.index + found.length;
      RICH.lastIndex = last;
    }
    if (last < text.length) {
      parent.appendChild(document.createTextNode(text.slice(last)));
    }
  }

  /** One stored transcript entry, checked (storage may hold anything). */
  function cleanEntry(raw) {
    if (!raw || typeof raw !== "object" || typeof raw.text !== "string") {
      return null;
    }
    var from = ["user", "bot", "human", "error"].indexOf(raw.from) >= 0 ? raw.from : "bot";
    var entry = { from: from, text: raw.text };
    if (typeof raw.name === "string" && raw.name) {
      entry.name = raw.name.slice(0, 60);
    }
    if (Array.isArray(raw.buttons)) {
      entry.buttons = raw.buttons
        .filter(function (b) {
          return b && typeof b.title === "string" && b.title && typeof b.payload === "string";
        })
        .map(function (b) {
          return { title: b.title, payload: b.payload };
        });
    }
    return entry;
  }

  /**
   * Build the chat in `container` and start it.
   * options: base (the gateway's origin, "" for the same origin), phone ("040 555 0100"),
   * phoneE164 ("+358405550100"), mode ("page" | "widget"), storage (localStorage key prefix).
   */
  function mount(container, options) {
    var opts = options || {};
    var base = (opts.base || "").replace(/\/+$/, "");
    var mode = opts.mode === "widget" ? "widget" : "page";
    var phone = opts.phone || "";
    var store = makeStore(opts.storage || "apuri.");
    var conversation = store.get("conversation");
    if (!conversation || !/^[A-Za-z0-9_-]{1,64}$/.test(conversation)) {
      conversation = newConversation();
      store.set("conversation", conversation);
    }
    var transcript = [];
    try {
      var saved = JSON.parse(store.get("transcript") || "[]");
      if (Array.isArray(saved)) {
        transcript = saved.map(cleanEntry).filter(Boolean);
      }
    } catch (err) {
      transcript = [];
    }

    var generation = 0; // bumps on "Aloita alusta": answers to the old conversation are dropped
    var queue = Promise.resolve();
    var source = null;

    // --- the parts -------------------------------------------------------------------------
    var callLink = el("a", { class: "apuri-call", href: "tel:" + (opts.phoneE164 || "") }, [
      icon("phone"),
      el("span", {}, [T.call]),
    ]);
    var log = el("div", {
      role: "log",
      "aria-live": "polite",
      "aria-relevant": "additions",
      "aria-label": T.log,
      class: "apuri-log",
    });
    var typing = el("p", { role: "status", class: "apuri-typing" });
    var inputId = uid("viesti");
    var hintId = uid("ohje");
    var input = el("textarea", {
      id: inputId,
      name: "viesti",
      rows: 2,
      maxlength: MAX_TEXT,
      autocomplete: "off",
      "aria-describedby": hintId,
      class: "apuri-input",
    });
    var sendButton = el("button", { type: "submit", class: "apuri-send" }, [T.send]);
    var micButton = el("button", { type: "button", class: "apuri-mic" }, [
      icon("mic"),
      el("span", {}, [T.speak]),
    ]);
    var note = el("p", { role: "status", class: "apuri-note" });
    var form = el("form", { class: "apuri-form", novalidate: true }, [
      el("label", { for: inputId, class: "apuri-label" }, [T.label]),
      el("p", { id: hintId, class: "apuri-hint" }, [T.hint]),
      input,
      el("div", { class: "apuri-actions" }, [sendButton, micButton]),
      note,
    ]);
    var restartButton = el("button", { type: "button", class: "apuri-restart" }, [T.restart]);
    var statementLink = el("a", { href: base + "/saavutettavuus", class: "apuri-statement" }, [
      T.statement,
    ]);
    var intro = el("p", { class: "apuri-intro" }, [T.intro]);
    if (phone) {
      intro.appendChild(el("a", { href: "tel:" + (opts.phoneE164 || "") }, [phone]));
      intro.appendChild(document.createTextNode("."));
    }

    var root;
    var toggle = null;
    var body = null;
    if (mode === "page") {
      root = el("div", { class: "apuri apuri--page" }, [
        el("header", { class: "apuri-bar" }, [
          el("h1", { class: "apuri-title" }, [T.title]),
          callLink,
        ]),
        el("main", { class: "apuri-main" }, [
          intro,
          log,
          typing,
          form,
          el("div", { class: "apuri-more" }, [restartButton]),
        ]),
        el("footer", { class: "apuri-footer" }, [
          statementLink,
          el("span", {}, [" " + T.emergency]),
        ]),
      ]);
    } else {
      var titleId = uid("otsikko");
      var bodyId = uid("sisalto");
      log.setAttribute("tabindex", "0"); // the log scrolls by itself here: reachable by keyboard
      toggle = el(
        "button",
        { type: "button", id: titleId, class: "apuri-toggle", "aria-expanded": "true",
          "aria-controls": bodyId },
        [el("span", {}, [T.widgetTitle]), icon("chevron")]
      );
      body = el("div", { id: bodyId, class: "apuri-body" }, [
        log,
        typing,
        form,
        el("div", { class: "apuri-more" }, [restartButton, statementLink]),
      ]);
      body.insertBefore(intro, log);
      root = el(
        "section",
        { class: "apuri apuri--widget", "aria-labelledby": titleId, lang: "fi" },
        [el("div", { class: "apuri-bar" }, [toggle, callLink]), body]
      );
    }

    // --- the transcript --------------------------------------------------------------------
    function save() {
      if (transcript.length > MAX_SAVED) {
        transcript = transcript.slice(-MAX_SAVED);
      }
      store.set("transcript", JSON.stringify(transcript));
    }

    function whoLabel(entry) {
      if (entry.from === "user") {
        return T.you;
      }
      if (entry.from === "human") {
        return entry.name ? entry.name + " (" + T.human.toLowerCase() + ")" : T.human;
      }
      return T.bot;
    }

    function render(entry) {
      var item = el("div", { class: "apuri-msg apuri-msg--" + entry.from }, [
        el("span", { class: "apuri-who" }, [
          whoLabel(entry),
          el("span", { class: "apuri-vh" }, [":"]),
        ]),
        " ",
      ]);
      var text = el("span", { class: "apuri-text" });
      appendRich(text, entry.text);
      item.appendChild(text);
      if (entry.buttons && entry.buttons.length) {
        var group = el("div", { class: "apuri-choices", role: "group", "aria-label": T.choices });
        entry.buttons.forEach(function (choice) {
          var button = el("button", { type: "button", class: "apuri-choice" }, [choice.title]);
          button.addEventListener("click", function () {
            send(choice.payload, choice.title, false);
          });
          group.appendChild(button);
        });
        item.appendChild(group);
      }
      log.appendChild(item);
      return item;
    }

    function add(entry) {
      transcript.push(entry);
      save();
      showIntro();
      return render(entry);
    }

    /** The widget is small: its introduction gives way once the conversation starts. */
    function showIntro() {
      if (mode === "widget") {
        intro.hidden = transcript.length > 0;
      }
    }

    /** Buttons answer the question just asked; once the user says anything they are gone. */
    function dropChoices() {
      var groups = log.querySelectorAll(".apuri-choices");
      Array.prototype.forEach.call(groups, function (group) {
        group.parentNode.removeChild(group);
      });
      transcript.forEach(function (entry) {
        delete entry.buttons;
      });
    }

    /** Show the start of the newest answer, and the message box when it fits too. */
    function reveal(first) {
      if (!first) {
        return;
      }
      if (mode === "widget") {
        log.scrollTop = log.scrollHeight;
        if (first.offsetTop < log.scrollTop) {
          log.scrollTop = first.offsetTop - 8;
        }
        return;
      }
      window.scrollTo(0, document.documentElement.scrollHeight);
      var bar = root.querySelector(".apuri-bar");
      var top = first.getBoundingClientRect().top;
      var covered = bar ? bar.getBoundingClientRect().bottom : 0;
      if (top < covered) {
        window.scrollBy(0, top - covered - 8);
      }
    }

    function say(message) {
      // emptied first so the same note is announced again when it repeats
      note.textContent = "";
      window.setTimeout(function () {
        note.textContent = message;
      }, 50);
    }

    // --- talking to the gateway --------------------------------------------------------------
    function listen() {
      if (source || !window.EventSource) {
        return;
      }
      var url = base + "/api/events?conversation=" + encodeURIComponent(conversation);
      source = new window.EventSource(url);
      source.onmessage = function (event) {
        var data;
        try {
          data = JSON.parse(event.data);
        } catch (err) {
          return;
        }
        if (!data || typeof data.text !== "string" || !data.text) {
          return;
        }
        var entry = { from: data.from === "human" ? "human" : "bot", text: data.text };
        if (typeof data.name === "string" && data.name) {
          entry.name = data.name.slice(0, 60);
        }
        if (Array.isArray(data.buttons)) {
          entry.buttons = cleanEntry({ text: "", buttons: data.buttons }).buttons;
          dropChoices();
        }
        reveal(add(entry));
      };
    }

    function post(text, mine, gen) {
      typing.textContent = T.typing;
      typing.classList.add("is-on");
      return window
        .fetch(base + "/api/messages", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ conversation: conversation, text: text }),
        })
        .then(function (response) {
          return response.json().then(
            function (data) {
              return { ok: response.ok, data: data };
            },
            function () {
              return { ok: false, data: null };
            }
          );
        })
        .then(
          function (result) {
            if (gen !== generation) {
              return;
            }
            var data = result.data;
            if (result.ok && data && Array.isArray(data.messages)) {
              var first = null;
              data.messages.forEach(function (message) {
                var entry = cleanEntry({
                  from: "bot",
                  text: typeof message.text === "string" ? message.text : "",
                  buttons: message.buttons,
                });
                if (entry && (entry.text || (entry.buttons && entry.buttons.length))) {
                  var node = add(entry);
                  first = first || node;
                }
              });
              reveal(first || add({ from: "error", text: T.failed(phone) }));
              return;
            }
            var message =
              data && typeof data.error === "string" && data.error ? data.error : T.failed(phone);
            reveal(add({ from: "error", text: message }));
            giveBack(mine);
          },
          function () {
            if (gen !== generation) {
              return;
            }
            reveal(add({ from: "error", text: T.network(phone) }));
            giveBack(mine);
          }
        )
        .then(function () {
          if (gen === generation) {
            typing.textContent = "";
            typing.classList.remove("is-on");
          }
        });
    }

    /** A typed message that did not go through comes back to the box, so nothing is lost. */
    function giveBack(mine) {
      if (mine && !input.value) {
        input.value = mine;
      }
    }

    /** Send `text` to the bot and show `shown` as the user's message (a button's title);
     * false when there is nothing to send or too much. */
    function send(text, shown, typed) {
      var clean = (text || "").trim();
      if (!clean) {
        say(T.empty);
        input.focus();
        return false;
      }
      if (clean.length > MAX_TEXT) {
        say(T.tooLong);
        input.focus();
        return false;
      }
      note.textContent = "";
      dropChoices();
      reveal(add({ from: "user", text: shown || clean }));
      listen();
      if (!typed) {
        input.focus(); // the pressed button is gone; the box is the natural next place
      }
      var gen = generation;
      queue = queue.then(function () {
        return post(clean, typed ? clean : "", gen);
      });
      return true;
    }

    function restart() {
      generation += 1;
      if (source) {
        source.close();
        source = null;
      }
      conversation = newConversation();
      store.set("conversation", conversation);
      transcript = [];
      save();
      showIntro();
      while (log.firstChild) {
        log.removeChild(log.firstChild);
      }
      typing.textContent = "";
      typing.classList.remove("is-on");
      input.value = "";
      say(T.restarted);
      input.focus();
    }

    /** Whether the server can take speech now (GET /health → speech.ok). */
    function speechReady() {
      return window
        .fetch(base + "/health", { cache: "no-store" })
        .then(function (response) {
          return response.json();
        })
        .then(function (health) {
          return Boolean(health && health.speech && health.speech.ok === true);
        })
        .catch(function () {
          return false;
        });
    }

    /**
     * TODO(speech): record with MediaRecorder (WebM/Opus, ≤ 60 s, a visible "Lopeta" button,
     * nothing starts by itself), POST the audio to /api/voice?conversation=ID, show the
     * transcript as the user's message and the answers like typed ones. Until then: the note.
     */
    function startRecording() {
      say(T.noSpeech);
      input.focus();
    }

    // --- events ----------------------------------------------------------------------------
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (send(input.value, "", true)) {
        input.value = "";
      }
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        if (form.requestSubmit) {
          form.requestSubmit();
        } else {
          sendButton.click();
        }
      }
    });
    micButton.addEventListener("click", function () {
      speechReady().then(function (ready) {
        if (ready) {
          startRecording();
        } else {
          say(T.noSpeech);
          input.focus();
        }
      });
    });
    restartButton.addEventListener("click", restart);
    if (toggle) {
      var open = store.get("open") !== "false";
      var setOpen = function (value) {
        toggle.setAttribute("aria-expanded", value ? "true" : "false");
        body.hidden = !value;
        root.classList.toggle("is-collapsed", !value);
        store.set("open", value ? "true" : "false");
      };
      setOpen(open);
      toggle.addEventListener("click", function () {
        var value = toggle.getAttribute("aria-expanded") !== "true";
        setOpen(value);
        if (value) {
          input.focus();
        }
      });
    }

    while (container.firstChild) {
      container.removeChild(container.firstChild);
    }
    container.appendChild(root);
    transcript.forEach(render);
    showIntro();
    if (transcript.length) {
      listen();
      if (mode === "widget") {
        log.scrollTop = log.scrollHeight;
      }
    }

    return {
      root: root,
      send: function (text) {
        send(text, "", true);
      },
      restart: restart,
    };
  }

  window.ApuriChat = { mount: mount };

  // The page: <div data-apuri-page data-phone="…" data-phone-e164="…"> is replaced by the chat.
  function autoMount() {
    var host = document.querySelector("[data-apuri-page]");
    if (host) {
      mount(host, {
        base: "",
        mode: "page",
        phone: host.getAttribute("data-phone") || "",
        phoneE164: host.getAttribute("data-phone-e164") || "",
        storage: "apuri.",
      });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", autoMount);
  } else {
    autoMount();
  }
})();
