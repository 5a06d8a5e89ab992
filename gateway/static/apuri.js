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
  var MAX_SAVED = 200; // messages kept in sessionStorage for one conversation
  var MAX_RECORDING = 59500; // ms: the gateway takes at most a minute of audio
  var MAX_SPOKEN = 1500; // characters read aloud at once (POST /api/speech)
  var BEEP_START = 880; // Hz: a high beep when listening starts …
  var BEEP_STOP = 520; // … and a lower one when it stops
  // what MediaRecorder may produce, best first; the gateway reads all of these
  var RECORDING_TYPES = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm",
    "audio/mp4"];

  var T = {
    title: "Apuri",
    widgetTitle: "Apuri-chat",
    call: "Soita ihmiselle",
    log: "Keskustelu",
    label: "Viesti",
    hint: "Kirjoita kysymys ja paina Enter. Vaihto + Enter tekee uuden rivin.",
    send: "Lähetä",
    speak: "Puhu",
    speakHint: "Paina kerran ja puhu kysymyksesi. Paina uudelleen, kun olet valmis. " +
      "Enintään minuutti kerrallaan. Esc peruu.",
    listening: "Kuuntelen… paina Puhu uudelleen, kun olet valmis.",
    recognising: "Tunnistan puhetta…",
    cancelled: "Äänitys peruttiin.",
    voiceBusy: "Hetki, käsittelen vielä edellistä äänitettä.",
    voiceOff:
      "Puheen tunnistus ei ole nyt käytössä. Kirjoita kysymyksesi viestikenttään, niin vastaan.",
    noRecorder: "Tämä selain ei osaa äänittää. Kirjoita kysymyksesi viestikenttään.",
    insecure:
      "Selain sallii äänittämisen vain suojatulla https-yhteydellä. Kirjoita kysymyksesi " +
      "viestikenttään.",
    micDenied:
      "Mikrofonin käyttö on estetty. Salli mikrofoni selaimen asetuksista tai kirjoita " +
      "kysymyksesi viestikenttään.",
    noMic: "Mikrofonia ei löytynyt. Kytke mikrofoni tai kirjoita kysymyksesi viestikenttään.",
    micFailed:
      "Mikrofoni ei käynnistynyt. Yritä uudelleen tai kirjoita kysymyksesi viestikenttään.",
    voiceFailed: "Puheesta ei saatu selvää. Yritä uudelleen tai kirjoita kysymyksesi.",
    voiceNetwork:
      "Äänite ei mennyt perille, koska yhteys Apuriin ei toimi. Yritä hetken päästä " +
      "uudelleen tai kirjoita kysymyksesi.",
    heardEdit: " Kirjoitin kuulemani viestikenttään: voit korjata sen ja lähettää.",
    read: "Lue ääneen",
    slow: "Hidas puhe",
    stopReading: "Lopeta lukeminen",
    options: "Vaihtoehdot: ",
    readFailed: "Ääneen lukeminen ei onnistu juuri nyt. Vastaus näkyy tekstinä.",
    noAudio: "Tämä selain ei osaa lukea ääneen. Vastaus näkyy tekstinä.",
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
    stop: "M6 6h12v12H6z",
    sound:
      "M3 9v6h4l5 5V4L7 9H3zm13.5 3A4.5 4.5 0 0 0 14 7.97v8.05A4.5 4.5 0 0 0 16.5 12zM14 " +
      "3.23v2.06a7 7 0 0 1 0 13.42v2.06a9 9 0 0 0 0-17.54z",
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

  /** Web storage ("localStorage" or "sessionStorage") when the browser allows it, else
   * memory for this page view only. */
  function makeStore(prefix, kind) {
    var memory = {};
    function get(key) {
      try {
        return window[kind].getItem(prefix + key);
      } catch (err) {
        return Object.prototype.hasOwnProperty.call(memory, key) ? memory[key] : null;
      }
    }
    function set(key, value) {
      memory[key] = value;
      try {
        if (value === null) {
          window[kind].removeItem(prefix + key);
        } else {
          window[kind].setItem(prefix + key, value);
        }
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
   * phoneE164 ("+358405550100"), mode ("page" | "widget"), storage (a key prefix).
   * The conversation id comes from the server (POST /api/conversations) and, like the
   * transcript, is kept for this tab only (sessionStorage): it is what lets anyone read the
   * conversation. Preferences (slow speech, the widget open) are kept in localStorage.
   */
  function mount(container, options) {
    var opts = options || {};
    var base = (opts.base || "").replace(/\/+$/, "");
    var mode = opts.mode === "widget" ? "widget" : "page";
    var phone = opts.phone || "";
    var store = makeStore(opts.storage || "apuri.", "sessionStorage");
    var prefs = makeStore(opts.storage || "apuri.", "localStorage");
    var conversation = store.get("conversation");
    if (conversation && !/^[A-Za-z0-9_-]{1,64}$/.test(conversation)) {
      conversation = null;
    }
    var asking = null; // the request for a new conversation id, while it is on its way
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
    var speakHintId = uid("puheohje");
    // the name stays "Puhu" (contract §6); aria-pressed and the note tell that it listens
    var micButton = el(
      "button",
      { type: "button", class: "apuri-mic", "aria-pressed": "false",
        "aria-describedby": speakHintId },
      [icon("mic"), el("span", {}, [T.speak])]
    );
    var slowId = uid("hidas");
    var slowBox = el("input", { type: "checkbox", id: slowId, class: "apuri-check" });
    slowBox.checked = prefs.get("slow") === "true";
    var stopButton = el("button", { type: "button", class: "apuri-stop", hidden: true }, [
      icon("stop"),
      el("span", {}, [T.stopReading]),
    ]);
    var note = el("p", { role: "status", class: "apuri-note" });
    var form = el("form", { class: "apuri-form", novalidate: true }, [
      el("label", { for: inputId, class: "apuri-label" }, [T.label]),
      el("p", { id: hintId, class: "apuri-hint" }, [T.hint]),
      input,
      el("div", { class: "apuri-actions" }, [sendButton, micButton]),
      el("span", { id: speakHintId, class: "apuri-vh" }, [T.speakHint]),
      note,
      el("div", { class: "apuri-speech" }, [
        el("span", { class: "apuri-option" }, [
          slowBox,
          el("label", { for: slowId }, [T.slow]),
        ]),
        stopButton,
      ]),
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
      var textId = uid("teksti");
      var text = el("span", { id: textId, class: "apuri-text" });
      appendRich(text, entry.text);
      item.appendChild(text);
      if (entry.from === "bot" || entry.from === "human") {
        var read = el(
          "button",
          { type: "button", class: "apuri-read", "aria-pressed": "false",
            "aria-describedby": textId },
          [icon("sound"), el("span", {}, [T.read])]
        );
        read.addEventListener("click", function () {
          if (playing && playing.button === read) {
            stopSpeaking();
          } else {
            speak(spokenText(entry), read);
          }
        });
        item.appendChild(el("div", { class: "apuri-tools" }, [read]));
      }
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
    /** This tab's conversation id: the one kept, or a new one the server makes. */
    function ensureConversation() {
      if (conversation) {
        return Promise.resolve(conversation);
      }
      if (!asking) {
        var gen = generation;
        asking = window
          .fetch(base + "/api/conversations", { method: "POST" })
          .then(readJson)
          .then(function (result) {
            asking = null;
            var data = result.data;
            if (!result.ok || !data || typeof data.conversation !== "string") {
              throw { shown: data && typeof data.error === "string" ? data.error : null };
            }
            if (gen === generation) {
              conversation = data.conversation;
              store.set("conversation", conversation);
            }
            return data.conversation;
          }, function (err) {
            asking = null;
            throw err;
          });
      }
      return asking;
    }

    /** The server no longer knows this id (its secret changed): forget it; the next request
     * gets a new one. */
    function forgetConversation() {
      conversation = null;
      store.set("conversation", null);
      if (source) {
        source.close();
        source = null;
      }
    }

    function listen() {
      if (source || !window.EventSource || !conversation) {
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

    /** The response's JSON with its status; data is null when the body is not JSON. */
    function readJson(response) {
      return response.json().then(
        function (data) {
          return { ok: response.ok, status: response.status, data: data };
        },
        function () {
          return { ok: false, status: response.status, data: null };
        }
      );
    }

    /** The bot's messages into the log, as typed and spoken questions alike get them:
     * returns the first new message and the text to read aloud. */
    function showAnswers(messages) {
      var first = null;
      var spoken = [];
      messages.forEach(function (message) {
        var entry = cleanEntry({
          from: "bot",
          text: message && typeof message.text === "string" ? message.text : "",
          buttons: message && message.buttons,
        });
        if (entry && (entry.text || (entry.buttons && entry.buttons.length))) {
          var node = add(entry);
          first = first || node;
          spoken.push(spokenText(entry));
        }
      });
      return { first: first, spoken: spoken.join("\n") };
    }

    function typingOn(text) {
      typing.textContent = text;
      typing.classList.add("is-on");
    }

    /** POST /api/messages with this tab's id; once more with a new id when the server does
     * not know the old one (403). */
    function postMessage(text, retried) {
      return ensureConversation()
        .then(function (id) {
          return window.fetch(base + "/api/messages", {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ conversation: id, text: text }),
          });
        })
        .then(readJson)
        .then(function (result) {
          if (result.status === 403 && !retried) {
            forgetConversation();
            return postMessage(text, true);
          }
          return result;
        });
    }

    function post(text, mine, gen) {
      typingOn(T.typing);
      return postMessage(text, false)
        .then(
          function (result) {
            if (gen !== generation) {
              return;
            }
            listen();
            var data = result.data;
            if (result.ok && data && Array.isArray(data.messages)) {
              var first = showAnswers(data.messages).first;
              reveal(first || add({ from: "error", text: T.failed(phone) }));
              return;
            }
            if (data && Array.isArray(data.messages)) {
              showAnswers(data.messages); // 112 or the crisis line, even with an error
            }
            var message =
              data && typeof data.error === "string" && data.error ? data.error : T.failed(phone);
            reveal(add({ from: "error", text: message }));
            giveBack(mine);
          },
          function (err) {
            if (gen !== generation) {
              return;
            }
            var shown = err && typeof err.shown === "string" && err.shown;
            reveal(add({ from: "error", text: shown || T.network(phone) }));
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
      cancelRecording();
      stopSpeaking();
      if (source) {
        source.close();
        source = null;
      }
      forgetConversation();
      ensureConversation().catch(function () {
        /* the next message asks again */
      });
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

    // --- speech: the microphone (POST /api/voice) and reading aloud (POST /api/speech) ----
    var speechInput = null; // from GET /health: true, false (off), null (not known yet)
    var audio = null; // one AudioContext: the beeps and the spoken answers
    var playing = null; // what is being read aloud: { button, source, stopped }
    var voice = { state: "idle", recorder: null, stream: null, chunks: [], timer: 0 };

    /** The AudioContext, made and woken within a click (browsers allow sound after one). */
    function audioContext() {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) {
        return null;
      }
      if (!audio) {
        try {
          audio = new Context();
        } catch (err) {
          return null;
        }
      }
      if (audio.state === "suspended" && audio.resume) {
        audio.resume().catch(function () {});
      }
      return audio;
    }

    /** A short tone, so that listening is heard to start and stop, not only seen. */
    function beep(frequency) {
      var context = audioContext();
      if (!context) {
        return;
      }
      try {
        var tone = context.createOscillator();
        var gain = context.createGain();
        var now = context.currentTime;
        tone.type = "sine";
        tone.frequency.value = frequency;
        gain.gain.setValueAtTime(0.0001, now);
        gain.gain.exponentialRampToValueAtTime(0.3, now + 0.015);
        gain.gain.exponentialRampToValueAtTime(0.0001, now + 0.15);
        tone.connect(gain);
        gain.connect(context.destination);
        tone.start(now);
        tone.stop(now + 0.16);
      } catch (err) {
        /* no sound device: the visible state and the note still tell */
      }
    }

    /** What "Lue ääneen" reads: the message and the choices it offers. */
    function spokenText(entry) {
      var text = entry.text || "";
      if (entry.buttons && entry.buttons.length) {
        var titles = entry.buttons.map(function (b) {
          return b.title;
        });
        text += (text ? "\n" : "") + T.options + titles.join(", ") + ".";
      }
      return text;
    }

    function decode(context, buffer) {
      return new Promise(function (resolve, reject) {
        var promise = context.decodeAudioData(buffer, resolve, reject);
        if (promise && promise.catch) {
          promise.catch(reject);
        }
      });
    }

    /** Read `text` aloud with the server's voice; `button` shows the state (aria-pressed).
     * Played through Web Audio, so a page's Content-Security-Policy needs no media-src. */
    function speak(text, button) {
      stopSpeaking();
      var clean = (text || "").trim().slice(0, MAX_SPOKEN);
      var context = audioContext();
      if (!clean) {
        return;
      }
      if (!context) {
        say(T.noAudio);
        return;
      }
      var token = { button: button, source: null, stopped: false };
      playing = token;
      if (button) {
        button.setAttribute("aria-pressed", "true");
      }
      stopButton.hidden = false;
      root.classList.add("is-speaking");
      window
        .fetch(base + "/api/speech", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ text: clean, slow: slowBox.checked }),
        })
        .then(function (response) {
          if (response.ok) {
            return response.arrayBuffer();
          }
          return readJson(response).then(function (result) {
            var data = result.data;
            throw { shown: data && typeof data.error === "string" ? data.error : T.readFailed };
          });
        })
        .then(function (buffer) {
          return decode(context, buffer);
        })
        .then(function (sound) {
          if (token.stopped) {
            return;
          }
          var source = context.createBufferSource();
          source.buffer = sound;
          source.connect(context.destination);
          source.onended = function () {
            if (playing === token) {
              doneSpeaking();
            }
          };
          token.source = source;
          source.start();
        })
        .catch(function (err) {
          if (playing === token) {
            doneSpeaking();
            say(err && typeof err.shown === "string" ? err.shown : T.readFailed);
          }
        });
    }

    function stopSpeaking() {
      if (!playing) {
        return;
      }
      playing.stopped = true;
      if (playing.source) {
        try {
          playing.source.stop();
        } catch (err) {
          /* already over */
        }
      }
      doneSpeaking();
    }

    function doneSpeaking() {
      if (playing && playing.button) {
        playing.button.setAttribute("aria-pressed", "false");
      }
      playing = null;
      root.classList.remove("is-speaking");
      var hadFocus = isFocused(stopButton);
      stopButton.hidden = true;
      if (hadFocus) {
        input.focus(); // the button is gone; focus must not fall to the page's start
      }
    }

    function isFocused(node) {
      return node.getRootNode && node.getRootNode().activeElement === node;
    }

    /** GET /health → whether the server can turn speech into text now. */
    function checkSpeech() {
      return window
        .fetch(base + "/health", { cache: "no-store" })
        .then(function (response) {
          return response.json();
        })
        .then(function (health) {
          var state = health && health.speech;
          if (state && state.input === true) {
            speechInput = true;
          } else if (state && state.input === false && state.reason !== "loading") {
            speechInput = false;
          } else {
            speechInput = null; // still loading or unknown: /api/voice will tell
          }
        })
        .catch(function () {
          speechInput = null;
        });
    }

    /** Why this browser cannot record here, or "" when it can. */
    function recorderMissing() {
      if (window.isSecureContext === false) {
        return T.insecure;
      }
      var media = navigator.mediaDevices;
      if (!media || !media.getUserMedia || !window.MediaRecorder) {
        return T.noRecorder;
      }
      return "";
    }

    function micProblem(err) {
      var name = err && err.name;
      if (name === "NotAllowedError" || name === "SecurityError") {
        return T.micDenied;
      }
      if (name === "NotFoundError" || name === "OverconstrainedError") {
        return T.noMic;
      }
      return T.micFailed;
    }

    /** Speech cannot be used: say why and leave the user in the message box. */
    function refuse(message) {
      say(message);
      input.focus();
    }

    function showRecording(on) {
      micButton.setAttribute("aria-pressed", on ? "true" : "false");
      micButton.classList.toggle("is-recording", on);
      micButton.replaceChild(icon(on ? "stop" : "mic"), micButton.firstChild);
      root.classList.toggle("is-recording", on);
    }

    function recordingType() {
      if (!window.MediaRecorder.isTypeSupported) {
        return "";
      }
      for (var i = 0; i < RECORDING_TYPES.length; i += 1) {
        if (window.MediaRecorder.isTypeSupported(RECORDING_TYPES[i])) {
          return RECORDING_TYPES[i];
        }
      }
      return "";
    }

    function releaseMicrophone() {
      if (voice.stream) {
        voice.stream.getTracks().forEach(function (track) {
          track.stop();
        });
      }
      voice.stream = null;
    }

    function startRecording() {
      var gen = generation;
      voice.state = "starting";
      return navigator.mediaDevices
        // echo cancellation keeps a spoken answer out; noise suppression only blurs speech
        .getUserMedia({ audio: { channelCount: 1, echoCancellation: true,
          noiseSuppression: false } })
        .then(function (stream) {
          if (gen !== generation || voice.state !== "starting") {
            stream.getTracks().forEach(function (track) {
              track.stop();
            });
            idleAfterCancel();
            return;
          }
          var type = recordingType();
          voice.stream = stream;
          var recorder = type
            ? new window.MediaRecorder(stream, { mimeType: type })
            : new window.MediaRecorder(stream);
          voice.recorder = recorder;
          voice.chunks = [];
          recorder.ondataavailable = function (event) {
            if (event.data && event.data.size) {
              voice.chunks.push(event.data);
            }
          };
          recorder.onstop = function () {
            finishRecording(recorder, gen);
          };
          recorder.start();
          voice.state = "recording";
          beep(BEEP_START);
          showRecording(true);
          say(T.listening);
          voice.timer = window.setTimeout(stopRecording, MAX_RECORDING);
        })
        .catch(function (err) {
          releaseMicrophone();
          voice.recorder = null;
          voice.state = "idle";
          refuse(micProblem(err));
        });
    }

    /** The second press (or a minute): stop listening and send what was said. */
    function stopRecording() {
      window.clearTimeout(voice.timer);
      if (voice.state !== "recording") {
        return;
      }
      voice.state = "sending";
      showRecording(false);
      beep(BEEP_STOP);
      note.textContent = "";
      typingOn(T.recognising);
      voice.recorder.stop();
    }

    function idleAfterCancel() {
      if (voice.state === "cancelled") {
        voice.state = "idle";
      }
    }

    /** Esc or "Aloita alusta" while listening: nothing is sent. */
    function cancelRecording() {
      window.clearTimeout(voice.timer);
      if (voice.state !== "recording" && voice.state !== "starting") {
        return false;
      }
      var recording = voice.state === "recording";
      voice.state = "cancelled";
      if (recording) {
        showRecording(false);
        beep(BEEP_STOP);
        voice.recorder.stop();
      }
      return true;
    }

    function finishRecording(recorder, gen) {
      releaseMicrophone();
      voice.recorder = null;
      var recording = new Blob(voice.chunks, { type: recorder.mimeType || "audio/webm" });
      voice.chunks = [];
      if (voice.state !== "sending" || gen !== generation) {
        voice.state = "idle";
        return;
      }
      queue = queue.then(function () {
        return postVoice(recording, gen);
      });
    }

    /** The titles of the buttons on screen: the answers the speech engine may listen for. */
    function choiceParams() {
      var titles = [];
      transcript.forEach(function (entry) {
        (entry.buttons || []).forEach(function (button) {
          titles.push(button.title);
        });
      });
      return titles.slice(0, 12).map(function (title) {
        return "&choice=" + encodeURIComponent(title);
      }).join("");
    }

    function postVoice(recording, gen) {
      if (gen !== generation) {
        voice.state = "idle"; // started over while waiting: the old question is not asked
        return Promise.resolve();
      }
      typingOn(T.recognising);
      function upload(retried) {
        return ensureConversation()
          .then(function (id) {
            var url = base + "/api/voice?conversation=" + encodeURIComponent(id) +
              choiceParams();
            return window.fetch(url, {
              method: "POST",
              headers: { "Content-Type": (recording.type || "audio/webm").split(";")[0] },
              body: recording,
            });
          })
          .then(readJson)
          .then(function (result) {
            if (result.status === 403 && !retried) {
              forgetConversation();
              return upload(true);
            }
            return result;
          });
      }
      return upload(false)
        .then(
          function (result) {
            if (gen !== generation) {
              return;
            }
            var data = result.data;
            if (result.ok && data && Array.isArray(data.messages)) {
              var heard = typeof data.transcript === "string" ? data.transcript.trim() : "";
              dropChoices();
              if (heard) {
                add({ from: "user", text: heard });
              }
              listen();
              var answers = showAnswers(data.messages);
              reveal(answers.first || add({ from: "error", text: T.failed(phone) }));
              if (answers.spoken) {
                speak(answers.spoken, null);
              }
              return;
            }
            var message = data && typeof data.error === "string" && data.error
              ? data.error : T.voiceFailed;
            if (result.status === 503) {
              checkSpeech(); // off, or only busy: the next press knows
            }
            if (data && typeof data.transcript === "string" && data.transcript &&
                !input.value) {
              input.value = data.transcript; // heard unsurely: the user may correct and send
              message += T.heardEdit;
              input.focus();
            }
            say(message);
          },
          function () {
            if (gen === generation) {
              say(T.voiceNetwork);
            }
          }
        )
        .then(function () {
          if (gen === generation) {
            typing.textContent = "";
            typing.classList.remove("is-on");
          }
          voice.state = "idle";
        });
    }

    function pressSpeak() {
      if (voice.state === "recording") {
        stopRecording();
        return;
      }
      if (voice.state === "starting") {
        return;
      }
      if (voice.state === "sending") {
        say(T.voiceBusy);
        return;
      }
      stopSpeaking();
      audioContext(); // within the press: the answer may then be read aloud
      var missing = recorderMissing();
      if (missing) {
        refuse(missing);
        return;
      }
      voice.state = "starting";
      (speechInput === true ? Promise.resolve() : checkSpeech()).then(function () {
        if (voice.state !== "starting") {
          idleAfterCancel();
          return;
        }
        if (speechInput === false) {
          voice.state = "idle";
          refuse(T.voiceOff);
          return;
        }
        startRecording();
      });
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
    micButton.addEventListener("click", pressSpeak);
    stopButton.addEventListener("click", function () {
      stopSpeaking();
    });
    slowBox.addEventListener("change", function () {
      prefs.set("slow", slowBox.checked ? "true" : "false");
    });
    root.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" && event.key !== "Esc") {
        return;
      }
      if (cancelRecording()) {
        say(T.cancelled);
      } else if (playing) {
        stopSpeaking();
      } else {
        return;
      }
      event.preventDefault();
    });
    restartButton.addEventListener("click", restart);
    if (toggle) {
      var open = prefs.get("open") !== "false";
      var setOpen = function (value) {
        toggle.setAttribute("aria-expanded", value ? "true" : "false");
        body.hidden = !value;
        root.classList.toggle("is-collapsed", !value);
        prefs.set("open", value ? "true" : "false");
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
      if (mode === "widget") {
        log.scrollTop = log.scrollHeight;
      }
    }
    ensureConversation().then(
      function () {
        if (transcript.length) {
          listen(); // a reload in the middle of a conversation: later replies still arrive
        }
      },
      function () {
        /* the server is not reachable now: the first message asks again */
      }
    );

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
