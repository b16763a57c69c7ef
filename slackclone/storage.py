"""Static files as production serves them: compressed, with content hashes in their names."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed manifest storage, with the browser client's ES module imports
    (`import … from "./dom.js"`, `import("./switcher.js")`) rewritten to hashed names as well.

    Without it only the page's entry module had a hashed, forever-cacheable name: the modules it
    imports kept their plain names and a short cache lifetime, so right after a deploy a browser
    could run the new entry module against some old modules.
    """

    support_js_module_import_aggregation = True
    # Each pass settles one more level of the import graph (a module's hash changes when a module it
    # imports is renamed); main.js sits ten imports deep, beyond Django's default of five passes.
    max_post_process_passes = 20
