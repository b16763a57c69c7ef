// What apps show one person: their modals (modal.js), their shortcuts (shortcuts.js) and their Home tabs
// (app-home.js). The server sends views on this person's own socket (view_opened, view_pushed,
// view_updated, views_cleared, app_home_updated); events.js hands each to onEvent here.

import { AppHome } from "./app-home.js";
import { AppModal } from "./modal.js";
import { Shortcuts } from "./shortcuts.js";

export class AppViews {
  constructor(app) {
    this.modal = new AppModal(app);
    this.shortcuts = new Shortcuts(app);
    this.home = new AppHome(app, this.modal);
  }

  onEvent(event) {
    if (event.type === "app_home_updated") this.home.onEvent(event);
    else this.modal.onEvent(event);
  }

  /** The composer's ⚡ menu. */
  openShortcutMenu(anchor) {
    return this.shortcuts.openMenu(anchor);
  }

  /** The message menu's items for message shortcuts. */
  messageShortcutItems(message, item) {
    return this.shortcuts.messageItems(message, item);
  }

  /** A conversation opened: a DM with an app's bot becomes its page. */
  attach(channel) {
    return this.home.attach(channel);
  }

  /** An app's name clicked: its page on the Home tab. */
  openAppHome(botUserId) {
    return this.home.openFor(botUserId);
  }
}
