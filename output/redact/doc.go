// Package redact is the one redaction every output of syncsim goes through (P11, PAY-4): the report
// writers, the CLI's stdout and stderr, the --json, --matrix and trace files, and the scenarios
// `simrun import` writes. A Redactor replaces credentials with "[redacted]" and leaves the rest of
// the text as it was, so a masked line stays readable (`AccountKey=[redacted];BlobEndpoint=...`).
//
// A Redactor recognises a credential three ways:
//
//   - By name: a value assigned to a credential name, in every syntax a log or config line uses:
//     `NAME=value`, `NAME: value`, `"NAME": "value"` (JSON, also with escaped quotes `\"NAME\"`),
//     `'NAME': 'value'`, `NAME%3Dvalue` (URL-encoded), `&NAME=value` (query strings), `--NAME value`
//     (flags; a value of 4 characters or more with a digit, a symbol or an inner capital, so that
//     `--key K` in a help text stays), and `NAME <blob>` where the blob is 16 or more base64 or hex
//     characters with a letter and a digit.
//   - By structure: JWTs; `Authorization: <scheme> <credentials>` for any scheme (for SharedKey
//     `account:signature`, only the signature); `Bearer`, `Basic` and `SharedKey` credentials
//     anywhere; the `code=` query parameter (a function key: after `?` or `&`, also URL-encoded
//     `%3Fcode%3D` or JSON-escaped `\u0026code=`, any case); key containers: an object or array
//     after a name whose last word ends in key, keys or secrets (`"functionKeys": {"Http1":
//     {"default": "..."}}`, `"keys": [{"name": "default", "value": "..."}]`, `"masterKey": {"name":
//     "master", "value": "..."}`, `systemKeys`, the payload's `secrets`, also as YAML flow or as
//     JSON escaped in a string), where every scalar of a plural one (keys, secrets) is masked at any
//     depth but a key's name (`name`, `keyName`), and of a singular one (masterKey) the member
//     `value` and members with a credential name. Connection strings (`AccountKey=`,
//     `SharedAccessKey=`, `SharedAccessSignature=`, `Password=`, `Pwd=`, `Pass=`), SAS query strings
//     (`sig=`) and the `x-functions-key` and `x-ms-*-token` headers are credential names.
//   - By value: the secrets a Redactor is given (New, Add: the scenario's keys, see scenarios.Secrets)
//     and every value it learns from a name or structure match of 8 characters or more, masked
//     wherever else it appears afterwards. String learns from its whole text before it masks, so a
//     learnt value is masked everywhere in that text, also before the line it was learnt from.
//
// The name rule: a name is split into words at `_`, `-`, `.`, digits and lower-to-upper case changes
// (AzureWebJobsStorage__accountKey: ... storage, account, key); it is a credential name when its
// last word is, or ends with, one of KEY, SECRET, TOKEN, PASSWORD, PASSWD, PASS, PWD, SIG,
// SIGNATURE, SAS, CREDENTIAL, CREDENTIALS, AUTH, AUTHORIZATION (case-insensitive), or it is VALUE
// after one of them (secretvalue, secretValue, SECRET_VALUE, token_value). So accountKey,
// client_secret, api-key, apikey, x.sig, Pwd, secretvalue and x-ms-site-token are credential
// names, and keyName, hostKeys (a count), key_vault_uri, defaultValue and sasUrl are not. The suffix part is deliberate: it catches
// masterkey and dbpassword, at the price of masking the value of an ordinary word that happens to
// end in one (monkey=..., bypass=...): masking a harmless value costs less than printing a key.
//
// Only values are masked, never the words around them: prose ("the secret is rotated"), a fix hint
// ("fix: name the key: master, ..."), a key's name, a hash.
//
// What is never masked: an empty value, one already masked, a digest (`sha256:<hex>`, the form
// traces record credentials in), a word that describes a credential instead of being one (ok, bad,
// present, absent, missing, malformed, valid, invalid, expired, none, empty, set, unset, required,
// optional, yes, no, true, false: traces record `token=present`, `sig=ok`), JSON literals and
// numbers after `:` (`"pass": 13` is a count), a value of the bare name `key` (also the last part of
// a dotted path, `rotate_key.key`) that is not written in a key's characters (base64, hex, token68:
// traces name a fault firing `key=drop@link/...`), that names a key (`master`, `host.default`,
// `function.Http1.default`: scenarios and fix hints name keys so) or that is a word of under 8
// letters (`is`, `default`), a key's name in a key container, and the published key of the storage
// emulator's development account (Azurite's devstoreaccount1), which is printed on purpose so that
// clients can connect.
//
// The scanner is a single hand-written pass over the text (linear time, no backtracking); JWTs are
// found with an RE2 expression, which is linear too. BenchmarkString measures it over a report.
//
//	r := redact.New(scenarios.Secrets(scs...))
//	safe := r.String(text)
//	out := redact.NewWriter(os.Stdout, r) // line by line; Flush at the end
package redact
