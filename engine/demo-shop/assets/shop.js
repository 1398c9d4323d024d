// Kettle & Kiln, the Tripwire demo shop: what a small site writes around the pasted snippet.
// The cart and the signed-in visitor live in localStorage; every shop action is reported
// through the tracker queue `tw(...)`, which the snippet defines before this script runs.
(function () {
  'use strict';

  var base = document.body.getAttribute('data-base') || '/shop';
  var KEYS = { cart: 'kettle-kiln:cart', user: 'kettle-kiln:user', order: 'kettle-kiln:last-order' };
  var MAX_QUANTITY = 10;
  var FREE_SHIPPING_FROM = 50;
  var euros = new Intl.NumberFormat('en-IE', { style: 'currency', currency: 'EUR' });

  function tw() {
    window.tw.apply(window, arguments);
  }

  // ---- storage -------------------------------------------------------------

  function read(key, fallback) {
    var raw = localStorage.getItem(key);
    if (raw === null) return fallback;
    try {
      return JSON.parse(raw);
    } catch (error) {
      // A value another version of the shop wrote: start afresh rather than break every page.
      console.warn('Kettle & Kiln: discarding unreadable ' + key, error);
      localStorage.removeItem(key);
      return fallback;
    }
  }

  function write(key, value) {
    localStorage.setItem(key, JSON.stringify(value));
  }

  function cart() {
    var lines = read(KEYS.cart, []);
    return Array.isArray(lines) ? lines.filter(function (line) { return line && line.id && line.qty > 0; }) : [];
  }

  function saveCart(lines) {
    write(KEYS.cart, lines);
    renderHeader();
  }

  function cents(amount) {
    return Math.round(amount * 100) / 100;
  }

  function cartValue(lines) {
    return cents(lines.reduce(function (sum, line) { return sum + line.price * line.qty; }, 0));
  }

  function clampQuantity(value) {
    var qty = parseInt(value, 10);
    if (!(qty > 0)) return 1;
    return Math.min(qty, MAX_QUANTITY);
  }

  // ---- DOM -----------------------------------------------------------------

  // Builds elements with textContent only: product names and emails never become markup.
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === false || value === undefined || value === null) return;
      if (name === 'text') node.textContent = value;
      else node.setAttribute(name, value === true ? '' : String(value));
    });
    (children || []).forEach(function (child) {
      node.append(child);
    });
    return node;
  }

  function $(selector) {
    return document.querySelector(selector);
  }

  function absolute(url) {
    return new URL(url, location.href).href;
  }

  function productUrl(id) {
    return base + '/p/' + encodeURIComponent(id);
  }

  function imageUrl(id) {
    return base + '/img/' + encodeURIComponent(id) + '.svg';
  }

  // ---- header: cart count and account ---------------------------------------

  function renderHeader() {
    var count = cart().reduce(function (sum, line) { return sum + line.qty; }, 0);
    document.querySelectorAll('[data-cart-count]').forEach(function (badge) {
      badge.textContent = String(count);
    });
    var account = $('[data-account]');
    if (!account) return;
    var user = read(KEYS.user, null);
    account.classList.toggle('is-signed-in', Boolean(user && user.email));
    if (user && user.email) {
      var signOut = el('button', { type: 'button', class: 'link-button', 'data-test': 'logout', text: 'Sign out' });
      signOut.addEventListener('click', signOutVisitor);
      account.replaceChildren('Signed in as ', el('strong', { 'data-test': 'account-email', text: user.email }), ' · ', signOut);
    } else {
      account.replaceChildren(el('a', { href: base + '/login', 'data-test': 'login-link', text: 'Sign in' }));
    }
  }

  function signOutVisitor() {
    localStorage.removeItem(KEYS.user);
    tw('reset');
    renderHeader();
  }

  // ---- the page's own event (product, category, search) ---------------------

  function reportPageEvent() {
    var main = $('main[data-tw-event]');
    if (!main) return;
    var props = JSON.parse(main.getAttribute('data-tw-props'));
    // Pop-ins and emails are shown away from this page: links and images must carry the origin.
    if (props.url) props.url = absolute(props.url);
    if (props.image) props.image = absolute(props.image);
    tw(main.getAttribute('data-tw-event'), props);
    return props;
  }

  // ---- product page ------------------------------------------------------------

  function setUpProductPage(product) {
    var form = $('[data-add-to-cart]');
    var message = $('[data-cart-message]');
    if (!form || !product) return;
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (product.stock !== 'in_stock') return;
      var wanted = clampQuantity(form.elements.qty.value);
      var lines = cart();
      var line = lines.find(function (existing) { return existing.id === product.id; });
      if (!line) {
        line = { id: product.id, name: product.name, price: product.price, qty: 0 };
        lines.push(line);
      }
      var added = Math.min(wanted, MAX_QUANTITY - line.qty);
      if (added <= 0) {
        message.replaceChildren('You already have ' + MAX_QUANTITY + ' of these in your cart.');
        return;
      }
      line.qty += added;
      saveCart(lines);
      tw('cart_add', { id: product.id, name: product.name, price: product.price, qty: added });
      message.replaceChildren(
        'Added ' + added + ' × ' + product.name + ' to your cart. ',
        el('a', { href: base + '/cart', 'data-test': 'view-cart', text: 'View cart' })
      );
    });
  }

  // ---- cart page -----------------------------------------------------------

  function setUpCartPage() {
    var list = $('[data-cart-lines]');
    if (!list) return;
    renderCart();

    function renderCart() {
      var lines = cart();
      var value = cartValue(lines);
      list.replaceChildren.apply(list, lines.map(cartLine));
      $('[data-cart-empty]').hidden = lines.length > 0;
      $('[data-cart-summary]').hidden = lines.length === 0;
      $('[data-cart-total]').textContent = euros.format(value);
      $('[data-shipping-note]').textContent = value >= FREE_SHIPPING_FROM
        ? 'Shipping is free on this order.'
        : 'Add ' + euros.format(cents(FREE_SHIPPING_FROM - value)) + ' more for free shipping.';
    }

    function cartLine(line) {
      var qty = el('input', {
        type: 'number', min: 1, max: MAX_QUANTITY, value: line.qty, inputmode: 'numeric',
        'aria-label': 'Quantity of ' + line.name, 'data-test': 'cart-qty',
      });
      qty.addEventListener('change', function () { changeQuantity(line.id, clampQuantity(qty.value)); });
      var remove = el('button', { type: 'button', class: 'link-button', 'data-test': 'cart-remove', text: 'Remove' });
      remove.addEventListener('click', function () { removeLine(line.id); });
      return el('li', { class: 'cart-line', 'data-test': 'cart-line', 'data-product-id': line.id }, [
        el('img', { src: imageUrl(line.id), alt: '', width: 72, height: 72 }),
        el('div', { class: 'cart-line-info' }, [
          el('a', { href: productUrl(line.id), 'data-test': 'cart-line-name', text: line.name }),
          el('span', { class: 'muted', text: euros.format(line.price) + ' each' }),
        ]),
        qty,
        el('strong', { class: 'cart-line-total', 'data-test': 'line-total', text: euros.format(cents(line.price * line.qty)) }),
        remove,
      ]);
    }

    function changeQuantity(id, qty) {
      var lines = cart();
      var line = lines.find(function (existing) { return existing.id === id; });
      if (!line || line.qty === qty) return renderCart();
      var delta = qty - line.qty;
      line.qty = qty;
      saveCart(lines);
      // cart_remove carries how many units left the cart; removing the whole line sends them all.
      if (delta > 0) tw('cart_add', { id: id, name: line.name, price: line.price, qty: delta });
      else tw('cart_remove', { id: id, qty: -delta });
      renderCart();
    }

    function removeLine(id) {
      var lines = cart();
      var line = lines.find(function (existing) { return existing.id === id; });
      if (!line) return renderCart();
      saveCart(lines.filter(function (existing) { return existing.id !== id; }));
      tw('cart_remove', { id: id, qty: line.qty });
      renderCart();
    }
  }

  // ---- order summaries (checkout and confirmation) ---------------------------

  function summaryLines(list, lines) {
    list.replaceChildren.apply(list, lines.map(function (line) {
      return el('li', { class: 'summary-line', 'data-test': 'summary-line' }, [
        el('span', { text: line.qty + ' × ' + line.name }),
        el('span', { text: euros.format(cents(line.price * line.qty)) }),
      ]);
    }));
  }

  // ---- checkout page ---------------------------------------------------------

  function setUpCheckoutPage() {
    var form = $('[data-checkout-form]');
    if (!form) return;
    var message = $('[data-checkout-message]');
    var lines = cart();
    summaryLines($('[data-checkout-lines]'), lines);
    $('[data-checkout-total]').textContent = euros.format(cartValue(lines));
    var user = read(KEYS.user, null);
    if (user && user.email) form.elements.email.value = user.email;
    if (user && user.name) form.elements.name.value = user.name;
    if (lines.length === 0) message.textContent = 'Your cart is empty: add something before checking out.';

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var current = cart();
      if (current.length === 0) {
        message.textContent = 'Your cart is empty: add something before checking out.';
        return;
      }
      message.textContent = '';
      if (!form.checkValidity()) {
        message.textContent = 'Please fill in every field, with a valid email address.';
        var invalid = form.querySelector(':invalid');
        if (invalid) invalid.focus();
        return;
      }
      form.querySelector('[type=submit]').disabled = true;
      placeOrder(current, form.elements.email.value);
    });
  }

  function placeOrder(lines, email) {
    var value = cartValue(lines);
    var order = 'TW-' + Date.now().toString(36).toUpperCase() + '-' + Math.random().toString(36).slice(2, 6).toUpperCase();
    tw('checkout', { value: value });
    tw('purchase', {
      order: order,
      value: value,
      items: lines.map(function (line) { return { id: line.id, qty: line.qty, price: line.price }; }),
    });
    write(KEYS.order, { order: order, value: value, email: email, lines: lines });
    saveCart([]);
    afterTrackerLoaded(function () {
      location.assign(base + '/order?n=' + encodeURIComponent(order));
    });
  }

  // The async tracker script holds the window load event, so after it the tracker has taken
  // the queue, and it keeps unsent events across the navigation. Before it, they would be lost.
  function afterTrackerLoaded(next) {
    if (document.readyState === 'complete') next();
    else window.addEventListener('load', next, { once: true });
  }

  // ---- confirmation page -------------------------------------------------------

  function setUpOrderPage() {
    var list = $('[data-order-lines]');
    if (!list) return;
    var last = read(KEYS.order, null);
    var number = new URLSearchParams(location.search).get('n');
    if (!last || last.order !== number || !Array.isArray(last.lines)) return;
    summaryLines(list, last.lines);
    $('[data-order-total]').textContent = euros.format(last.value);
    $('[data-order-total-row]').hidden = false;
  }

  // ---- sign-in page ----------------------------------------------------------

  function setUpLoginPage() {
    var form = $('[data-login-form]');
    if (!form) return;
    var message = $('[data-login-message]');
    var submit = form.querySelector('[type=submit]');
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var name = form.elements.name.value.trim();
      var offers = form.elements.offers.checked;
      submit.disabled = true;
      message.textContent = '';
      signIn(form.getAttribute('data-api'), form.elements.email.value, name)
        .then(function (account) {
          // The backend's signature lets the engine trust this email; without it identify is refused.
          tw('identify', { email: account.email, hmac: account.hmac, traits: name ? { name: name } : {} });
          if (offers) tw('consent', { email: true });
          write(KEYS.user, { email: account.email, name: name });
          renderHeader();
          message.replaceChildren(
            'Signed in as ' + account.email + '. ',
            el('a', { href: base + '/', 'data-test': 'login-continue', text: 'Continue shopping' })
          );
        })
        .catch(function (error) {
          console.error('Kettle & Kiln: sign-in failed', error);
          message.textContent = error.message;
        })
        .finally(function () {
          submit.disabled = false;
        });
    });
  }

  function signIn(api, email, name) {
    return fetch(api, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(name ? { email: email, name: name } : { email: email }),
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.error || 'Sign-in failed (' + response.status + ').');
        return data;
      });
    });
  }

  // ---- start -----------------------------------------------------------------

  renderHeader();
  var pageProps = reportPageEvent();
  switch (document.body.getAttribute('data-page')) {
    case 'product': setUpProductPage(pageProps); break;
    case 'cart': setUpCartPage(); break;
    case 'checkout': setUpCheckoutPage(); break;
    case 'order': setUpOrderPage(); break;
    case 'login': setUpLoginPage(); break;
  }
  // Another tab changed the cart or signed out: keep this tab's header honest.
  window.addEventListener('storage', renderHeader);
})();
