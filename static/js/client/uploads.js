// Sending files: each one goes up as multipart to the channel's files endpoint, the message text with
// the first; drag and drop onto the channel adds files to the composer.

import { interpolate, ngettext } from "./i18n.js";

export class Uploads {
  constructor(app) {
    this.app = app;
    const zone = document.getElementById("channel-view");
    zone.addEventListener("dragover", (event) => {
      if ([...event.dataTransfer.types].includes("Files")) {
        event.preventDefault();
        zone.classList.add("dropping");
      }
    });
    zone.addEventListener("dragleave", (event) => {
      if (!zone.contains(event.relatedTarget)) zone.classList.remove("dropping");
    });
    zone.addEventListener("drop", (event) => {
      zone.classList.remove("dropping");
      if (!event.dataTransfer.files.length) return;
      event.preventDefault();
      app.composer.addFiles([...event.dataTransfer.files]);
    });
  }

  async send(channelId, entries, text, threadTs) {
    const { app } = this;
    app.announce(
      interpolate(ngettext("Uploading %(count)s file…", "Uploading %(count)s files…", entries.length), {
        count: entries.length,
      }),
    );
    for (const [index, entry] of entries.entries()) {
      const form = new FormData();
      form.append("file", entry.file, entry.file.name);
      if (index === 0 && text) form.append("text", text);
      if (threadTs) form.append("thread_ts", threadTs);
      form.append("client_msg_id", app.newId());
      const data = await app.guard(app.api.upload(`channels/${channelId}/files`, form));
      if (entry.preview) URL.revokeObjectURL(entry.preview);
      if (data) app.receive(data.message);
    }
  }
}
