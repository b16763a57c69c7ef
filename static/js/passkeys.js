// django-allauth's WebAuthn scripts announce a failed or cancelled passkey ceremony as an `allauth.error`
// event (and only log it otherwise); show the page's own message for it instead.
document.addEventListener("allauth.error", (event) => {
  const notice = document.querySelector("[data-passkey-error]");
  if (!notice) return;
  event.preventDefault();
  notice.hidden = false;
  console.warn(event.detail?.exception);
});
