// Nexus Auth: the WebAuthn and passkey triggers UI nodes name (onclickTrigger /
// onloadTrigger). Each reads its options from the node, runs the browser ceremony, writes the
// answer into the flow's hidden field and submits the form that field belongs to.
(function () {
  'use strict';

  function bytes(b64url) {
    var b64 = String(b64url).replace(/-/g, '+').replace(/_/g, '/');
    while (b64.length % 4) b64 += '=';
    var bin = atob(b64);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }

  function text(buf) {
    if (!buf) return '';
    var view = new Uint8Array(buf);
    var bin = '';
    for (var i = 0; i < view.length; i++) bin += String.fromCharCode(view[i]);
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function field(name) {
    return document.querySelector('*[name="' + name + '"]');
  }

  function parse(value) {
    if (!value) return null;
    if (typeof value === 'object') return value;
    try {
      return JSON.parse(value);
    } catch (e) {
      return null;
    }
  }

  function publicKey(options) {
    if (options && options.credentialOptions) options = options.credentialOptions;
    return (options && options.publicKey) || options;
  }

  function supported() {
    if (window.PublicKeyCredential && navigator.credentials) return true;
    alert('This browser does not support security keys or passkeys.');
    return false;
  }

  function submit(name, value) {
    var input = field(name);
    if (!input) return;
    input.value = value;
    var form = input.closest('form');
    if (form) form.submit();
  }

  function creationOptions(options, userName) {
    var pk = Object.assign({}, publicKey(options));
    pk.challenge = bytes(pk.challenge);
    pk.user = Object.assign({}, pk.user, { id: bytes(pk.user.id) });
    if (userName) {
      pk.user.name = userName;
      pk.user.displayName = userName;
    }
    if (pk.excludeCredentials) {
      pk.excludeCredentials = pk.excludeCredentials.map(function (c) {
        return Object.assign({}, c, { id: bytes(c.id) });
      });
    }
    return pk;
  }

  function requestOptions(options) {
    var pk = Object.assign({}, publicKey(options));
    pk.challenge = bytes(pk.challenge);
    if (pk.allowCredentials) {
      pk.allowCredentials = pk.allowCredentials.map(function (c) {
        return Object.assign({}, c, { id: bytes(c.id) });
      });
    }
    return pk;
  }

  function attestation(cred) {
    return JSON.stringify({
      id: cred.id,
      rawId: text(cred.rawId),
      type: cred.type,
      response: {
        attestationObject: text(cred.response.attestationObject),
        clientDataJSON: text(cred.response.clientDataJSON)
      }
    });
  }

  function assertion(cred) {
    return JSON.stringify({
      id: cred.id,
      rawId: text(cred.rawId),
      type: cred.type,
      response: {
        authenticatorData: text(cred.response.authenticatorData),
        clientDataJSON: text(cred.response.clientDataJSON),
        signature: text(cred.response.signature),
        userHandle: text(cred.response.userHandle)
      }
    });
  }

  function register(options, target, userName) {
    if (!supported() || !options) return Promise.resolve();
    return navigator.credentials
      .create({ publicKey: creationOptions(options, userName) })
      .then(function (cred) {
        submit(target, attestation(cred));
      })
      .catch(function (err) {
        console.warn('WebAuthn registration failed', err);
      });
  }

  function login(options, target, mediation) {
    if (!supported() || !options) return Promise.resolve();
    var request = { publicKey: requestOptions(options) };
    if (mediation) request.mediation = mediation;
    return navigator.credentials
      .get(request)
      .then(function (cred) {
        if (cred) submit(target, assertion(cred));
      })
      .catch(function (err) {
        console.warn('WebAuthn sign-in failed', err);
      });
  }

  function passkeyCreateData() {
    var input = field('passkey_create_data');
    return input ? parse(input.value) : null;
  }

  function displayName(data) {
    var names = (data && (data.displayNameFieldNames || [data.displayNameFieldName])) || [];
    for (var i = 0; i < names.length; i++) {
      var input = names[i] && field(names[i]);
      if (input && input.value) return input.value;
    }
    return '';
  }

  window.oryWebAuthnRegistration = function (options) {
    var trigger = field('webauthn_register_trigger');
    var opts = parse(options) || (trigger && parse(trigger.value));
    var name = field('webauthn_register_displayname');
    return register(opts, 'webauthn_register', name && name.value);
  };

  window.oryWebAuthnLogin = function (options) {
    var trigger = field('webauthn_login_trigger');
    return login(parse(options) || (trigger && parse(trigger.value)), 'webauthn_login');
  };

  window.oryPasskeyLogin = function () {
    var challenge = field('passkey_challenge');
    return login(challenge && parse(challenge.value), 'passkey_login');
  };

  window.oryPasskeyLoginAutocompleteInit = function () {
    var challenge = field('passkey_challenge');
    if (!challenge || !window.PublicKeyCredential) return Promise.resolve();
    var available = PublicKeyCredential.isConditionalMediationAvailable;
    if (!available) return Promise.resolve();
    return available.call(PublicKeyCredential).then(function (ok) {
      if (ok) return login(parse(challenge.value), 'passkey_login', 'conditional');
    });
  };

  window.oryPasskeyRegistration = function () {
    var data = passkeyCreateData();
    return register(data, 'passkey_register', displayName(data));
  };

  window.oryPasskeySettingsRegistration = function () {
    var data = passkeyCreateData();
    return register(data, 'passkey_settings_register', displayName(data));
  };
})();
