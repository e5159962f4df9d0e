"""Installed translation models: install (Argos package file, folder, public Argos index), list, remove.

Each model lives in its own folder under the models directory with a small manifest (``osiwire-model.json``)
saying which languages it translates, where its CTranslate2 model and sentencepiece models are, and which
language tokens it wants. Installs unpack or copy into a hidden temporary folder beside the target and are
renamed into place, so a crash never leaves a half-installed model that ``list_models`` would offer.
Nothing here downloads unless ``install_from_index`` is called.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

import httpx

from osiwire.errors import OsiwireError

logger = logging.getLogger(__name__)

MANIFEST = "osiwire-model.json"
ARGOS_INDEX_URL = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"
MAX_INDEX_BYTES = 4 * 1024 * 1024  # the real index is ~35 KB; anything far larger is not an index
MAX_DOWNLOAD_BYTES = 1024**3  # Argos packages are 50-200 MB; a gigabyte leaves room and stops a runaway
MAX_UNPACKED_BYTES = 2 * 1024**3  # zip-bomb guard: the largest real package unpacks to well under this
MAX_ZIP_ENTRIES = 5000  # real packages hold a few dozen files
IGNORED_PARTS = ("stanza", "spacy")  # sentence splitters shipped in packages; osiwire uses its own
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")  # ids become folder names
CHUNK = 1024 * 1024
# NLLB tokens of the languages osiwire reads most (official releases of Russia and its neighbours).
NLLB_CODES = {
    "ru": "rus_Cyrl", "en": "eng_Latn", "uk": "ukr_Cyrl", "be": "bel_Cyrl", "kk": "kaz_Cyrl",
    "ky": "kir_Cyrl", "tg": "tgk_Cyrl", "uz": "uzn_Latn", "tk": "tuk_Latn", "hy": "hye_Armn",
    "az": "azj_Latn", "ka": "kat_Geor", "ro": "ron_Latn", "mn": "khk_Cyrl", "zh": "zho_Hans",
    "fr": "fra_Latn", "de": "deu_Latn", "es": "spa_Latn", "ar": "arb_Arab", "tr": "tur_Latn",
}  # fmt: skip

Progress = Callable[[int, int | None], None]  # (bytes so far, total bytes or None when unknown)


class ModelError(OsiwireError):
    """A model could not be installed, read or removed; the message names the file or URL and the reason."""


@dataclass(frozen=True, slots=True)
class InstalledModel:
    """One installed model, as its manifest describes it."""

    id: str  # e.g. "argos-translate-ru_en-1.9"
    kind: str  # "argos" | "ctranslate2"
    version: str
    path: Path  # the model's folder under the models directory
    source_langs: tuple[str, ...]
    target_langs: tuple[str, ...]
    model_dir: Path  # the CTranslate2 model (model.bin, config.json, vocabularies)
    source_spm: Path
    target_spm: Path
    # Extra tokens around each sentence; "{src}"/"{tgt}" stand for the language_tokens of the pair (NLLB).
    source_prefix: tuple[str, ...] = ()
    source_suffix: tuple[str, ...] = ()
    target_prefix: tuple[str, ...] = ()
    language_tokens: tuple[tuple[str, str], ...] = ()

    def supports(self, source_lang: str, target_lang: str) -> bool:
        """Whether this model translates the pair."""
        return (
            source_lang != target_lang
            and source_lang in self.source_langs
            and target_lang in self.target_langs
        )

    def expand(self, tokens: Sequence[str], source_lang: str, target_lang: str) -> list[str]:
        """Affix tokens with the pair's language tokens filled in."""
        codes = dict(self.language_tokens)
        fill = {"{src}": codes.get(source_lang, ""), "{tgt}": codes.get(target_lang, "")}
        return [fill.get(token, token) for token in tokens]


def list_models(models_dir: Path) -> list[InstalledModel]:
    """Installed models, sorted by id; unreadable manifests are logged and skipped."""
    if not models_dir.is_dir():
        return []
    found = []
    for folder in sorted(models_dir.iterdir()):
        if folder.name.startswith(".") or not (folder / MANIFEST).is_file():
            continue
        try:
            found.append(read_model(folder))
        except ModelError as exc:
            logger.warning("skipping model folder: %s", exc)
    return sorted(found, key=lambda m: m.id)


def read_model(folder: Path) -> InstalledModel:
    """The model installed in ``folder``, from its manifest."""
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return InstalledModel(
            id=_name(data["id"]),
            kind=str(data["kind"]),
            version=str(data["version"]),
            path=folder,
            source_langs=tuple(_name(c) for c in data["source_langs"]),
            target_langs=tuple(_name(c) for c in data["target_langs"]),
            model_dir=folder / _relative(data["model"]),
            source_spm=folder / _relative(data["source_spm"]),
            target_spm=folder / _relative(data["target_spm"]),
            source_prefix=tuple(map(str, data.get("source_prefix", ()))),
            source_suffix=tuple(map(str, data.get("source_suffix", ()))),
            target_prefix=tuple(map(str, data.get("target_prefix", ()))),
            language_tokens=tuple((str(k), str(v)) for k, v in data.get("language_tokens", {}).items()),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ModelError(f"{path}: unreadable model manifest: {exc}") from None


def remove_model(models_dir: Path, model_id: str) -> None:
    """Remove an installed model (renamed aside first, so a crash leaves no half-removed model)."""
    for model in list_models(models_dir):
        if model.id == model_id:
            doomed = Path(tempfile.mkdtemp(prefix=".removing-", dir=models_dir))
            model.path.rename(doomed / "model")
            shutil.rmtree(doomed)
            logger.info("removed model %s", model_id)
            return
    raise ModelError(f"{models_dir}: no installed model {model_id!r}")


def install_from_file(path: Path, models_dir: Path) -> InstalledModel:
    """Verify and install an Argos ``.argosmodel`` package (a zip)."""
    if not path.is_file():
        raise ModelError(f"{path}: no such file")
    if not zipfile.is_zipfile(path):
        raise ModelError(f"{path}: not an Argos package (not a zip archive)")
    models_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".partial-", dir=models_dir))
    try:
        with zipfile.ZipFile(path) as zf:
            root = _argos_root(zf, path)
            for info in zf.infolist():
                name = PurePosixPath(info.filename)
                if info.is_dir() or not name.is_relative_to(root):
                    continue
                relative = name.relative_to(root)
                if not relative.parts or relative.parts[0] in IGNORED_PARTS:
                    continue
                target = staging / Path(*relative.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst, CHUNK)  # zipfile stops at the size it checked
        model = _stage_argos(staging, str(path))
        return _commit(staging, models_dir, model.id)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ModelError(f"{path}: cannot unpack Argos package: {exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def install_from_dir(
    path: Path,
    models_dir: Path,
    *,
    source_lang: str | None = None,
    target_lang: str | None = None,
    model_id: str | None = None,
) -> InstalledModel:
    """Copy in an unpacked Argos package, or a CTranslate2 model folder (which needs both languages)."""
    if not path.is_dir():
        raise ModelError(f"{path}: not a folder")
    subfolders = [p for p in path.iterdir() if (p / "metadata.json").is_file()]
    if not (path / "metadata.json").is_file() and len(subfolders) == 1:
        path = subfolders[0]  # an unzipped .argosmodel: its one folder holds the package
    models_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".partial-", dir=models_dir))
    try:
        shutil.copytree(path, staging, dirs_exist_ok=True, ignore=shutil.ignore_patterns(*IGNORED_PARTS))
        if (staging / "metadata.json").is_file():
            model = _stage_argos(staging, str(path))
        else:
            if not source_lang or not target_lang:
                raise ModelError(f"{path}: a CTranslate2 model folder needs --from and --to languages")
            model = _stage_ctranslate2(staging, path, source_lang, target_lang, model_id)
        return _commit(staging, models_dir, model.id)
    except OSError as exc:
        raise ModelError(f"{path}: cannot copy model: {exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def install_from_index(
    source_lang: str,
    target_lang: str,
    models_dir: Path,
    *,
    client: httpx.Client,
    index_url: str = ARGOS_INDEX_URL,
    progress: Progress | None = None,
    max_bytes: int = MAX_DOWNLOAD_BYTES,
) -> InstalledModel:
    """Download the newest Argos package for the pair from the package index, verify it and install it."""
    entry = choose_package(_fetch_index(client, index_url), source_lang, target_lang, index_url)
    links = [str(link) for link in entry.get("links", ()) if str(link).startswith(("https://", "http://"))]
    if not links:
        raise ModelError(f"{index_url}: the {source_lang}→{target_lang} package has no http(s) link")
    models_dir.mkdir(parents=True, exist_ok=True)
    failures = []
    for url in links:  # the index lists mirrors; the first that answers wins
        with tempfile.NamedTemporaryFile(prefix=".download-", suffix=".argosmodel", dir=models_dir) as tmp:
            try:
                digest = _download(client, url, tmp, max_bytes, progress)
                tmp.flush()
            except ModelError as exc:
                failures.append(str(exc))
                continue
            expected = str(entry.get("sha256", "")).lower()
            if expected and digest != expected:
                raise ModelError(f"{url}: sha256 {digest} does not match the index ({expected})")
            return install_from_file(Path(tmp.name), models_dir)
    raise ModelError("; ".join(failures))


def choose_package(index: Any, source_lang: str, target_lang: str, where: str) -> Mapping[str, Any]:
    """The newest translate package for the pair in an Argos index (a JSON list of package metadata)."""
    if not isinstance(index, list):
        raise ModelError(f"{where}: not an Argos package index (expected a JSON list)")
    matches = [
        entry
        for entry in index
        if isinstance(entry, dict)
        and entry.get("type", "translate") == "translate"
        and entry.get("from_code") == source_lang
        and entry.get("to_code") == target_lang
    ]
    if not matches:
        raise ModelError(f"{where}: no Argos package translates {source_lang}→{target_lang}")
    return max(matches, key=lambda entry: version_key(str(entry.get("package_version", "0"))))


def _fetch_index(client: httpx.Client, url: str) -> Any:
    buffer = io.BytesIO()
    _download(client, url, buffer, MAX_INDEX_BYTES)
    try:
        return json.loads(buffer.getvalue())
    except ValueError as exc:
        raise ModelError(f"{url}: package index is not JSON: {exc}") from None


def _download(
    client: httpx.Client, url: str, out: IO[bytes], max_bytes: int, progress: Progress | None = None
) -> str:
    """Stream ``url`` into ``out``, refusing more than ``max_bytes``; returns the sha256 hex digest."""
    digest, done = hashlib.sha256(), 0
    try:
        with client.stream("GET", url, follow_redirects=True) as response:
            response.raise_for_status()
            length = response.headers.get("Content-Length", "")
            total = int(length) if length.isdigit() else None
            for chunk in response.iter_bytes(CHUNK):
                done += len(chunk)
                if done > max_bytes or (total or 0) > max_bytes:
                    raise ModelError(f"{url}: {total or done} bytes, over the {max_bytes}-byte limit")
                digest.update(chunk)
                out.write(chunk)
                if progress is not None:
                    progress(done, total)
    except httpx.HTTPError as exc:
        raise ModelError(f"{url}: download failed: {_reason(exc)}") from None
    logger.info("downloaded %s (%d bytes)", url, done)
    return digest.hexdigest()


def _argos_root(zf: zipfile.ZipFile, path: Path) -> PurePosixPath:
    """Check every entry (zip-slip, links, size) and return the folder holding metadata.json."""
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        raise ModelError(f"{path}: {len(infos)} entries, more than {MAX_ZIP_ENTRIES}")
    for info in infos:
        name = PurePosixPath(info.filename)
        if "\\" in info.filename or name.is_absolute() or ".." in name.parts or ":" in info.filename:
            raise ModelError(f"{path}: unsafe path in archive: {info.filename!r}")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ModelError(f"{path}: symbolic link in archive: {info.filename!r}")
    unpacked = sum(info.file_size for info in infos)
    if unpacked > MAX_UNPACKED_BYTES:
        raise ModelError(f"{path}: unpacks to {unpacked} bytes, over the {MAX_UNPACKED_BYTES}-byte limit")
    names = (PurePosixPath(name) for name in zf.namelist())
    metadata = sorted((n for n in names if n.name == "metadata.json"), key=lambda n: len(n.parts))
    if not metadata or len(metadata[0].parts) > 2:
        raise ModelError(f"{path}: no metadata.json in the package")
    return metadata[0].parent


def _stage_argos(staging: Path, where: str) -> InstalledModel:
    """Validate an Argos package laid out in ``staging`` and write its manifest."""
    try:
        meta = json.loads((staging / "metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{where}: unreadable metadata.json: {exc}") from None
    if not isinstance(meta, dict) or meta.get("type", "translate") != "translate":
        raise ModelError(f"{where}: metadata.json does not describe a translate package")
    source, target = meta.get("from_code"), meta.get("to_code")
    if not isinstance(source, str) or not isinstance(target, str) or not source or not target:
        raise ModelError(f"{where}: metadata.json lacks from_code/to_code")
    if not (staging / "model" / "model.bin").is_file():
        raise ModelError(f"{where}: no model/model.bin in the package")
    if not (staging / "sentencepiece.model").is_file():
        raise ModelError(f"{where}: no sentencepiece.model in the package (BPE packages are not supported)")
    version = str(meta.get("package_version", "0"))
    prefix = meta.get("target_prefix")
    manifest = {
        "id": f"argos-translate-{source}_{target}-{version}",
        "kind": "argos",
        "version": version,
        "source_langs": [source],
        "target_langs": [target],
        "model": "model",
        "source_spm": "sentencepiece.model",
        "target_spm": "sentencepiece.model",
        "target_prefix": [prefix] if isinstance(prefix, str) and prefix else [],
    }
    return _write_manifest(staging, manifest, where)


def _stage_ctranslate2(
    staging: Path, where: Path, source: str, target: str, model_id: str | None
) -> InstalledModel:
    """Describe a plain CTranslate2 folder: OPUS-MT (source.spm/target.spm), NLLB or one shared spm."""
    if not (staging / "model.bin").is_file():
        raise ModelError(f"{where}: no model.bin (not a CTranslate2 model folder)")
    manifest: dict[str, Any] = {
        "id": model_id or "ctranslate2-" + re.sub(r"[^A-Za-z0-9._-]+", "-", where.name).strip("-."),
        "kind": "ctranslate2",
        "version": "0",
        "source_langs": [source],
        "target_langs": [target],
        "model": ".",
    }
    if (staging / "source.spm").is_file() and (staging / "target.spm").is_file():
        # Marian models converted by ct2-transformers-converter expect the end token on the source.
        manifest |= {"source_spm": "source.spm", "target_spm": "target.spm", "source_suffix": ["</s>"]}
    elif (staging / "sentencepiece.bpe.model").is_file():
        vocab = "".join(p.read_text(encoding="utf-8") for p in staging.glob("*vocabulary*"))
        codes = {lang: token for lang, token in NLLB_CODES.items() if token in vocab}
        if source not in codes or target not in codes:
            raise ModelError(f"{where}: NLLB-style model without {source}/{target} language tokens")
        manifest |= {
            "source_spm": "sentencepiece.bpe.model",
            "target_spm": "sentencepiece.bpe.model",
            "source_langs": sorted(codes),  # one NLLB model translates between all its languages
            "target_langs": sorted(codes),
            "source_prefix": ["{src}"],
            "source_suffix": ["</s>"],
            "target_prefix": ["{tgt}"],
            "language_tokens": codes,
        }
    elif (staging / "sentencepiece.model").is_file():
        manifest |= {"source_spm": "sentencepiece.model", "target_spm": "sentencepiece.model"}
    else:
        raise ModelError(f"{where}: no sentencepiece model (source.spm/target.spm or sentencepiece.model)")
    return _write_manifest(staging, manifest, str(where))


def _write_manifest(staging: Path, manifest: dict[str, Any], where: str) -> InstalledModel:
    names = [manifest["id"], *manifest["source_langs"], *manifest["target_langs"]]
    if not all(SAFE_NAME.match(name) for name in names):
        raise ModelError(f"{where}: unusable model id or language code {manifest['id']!r}")
    (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return read_model(staging)


def _commit(staging: Path, models_dir: Path, model_id: str) -> InstalledModel:
    """Rename the staged folder into place, replacing an earlier install of the same id."""
    final = models_dir / model_id
    if final.exists():
        old = Path(tempfile.mkdtemp(prefix=".replaced-", dir=models_dir))
        final.rename(old / "model")
        staging.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(final)
    logger.info("installed model %s in %s", model_id, final)
    return read_model(final)


def _reason(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.HTTPStatusError):
        return f"HTTP {exc.response.status_code}"
    return (str(exc).strip() or type(exc).__name__).splitlines()[0]


def _name(value: Any) -> str:
    if not isinstance(value, str) or not SAFE_NAME.match(value):
        raise ValueError(f"bad name {value!r}")
    return value


def _relative(value: Any) -> str:
    if not isinstance(value, str) or PurePosixPath(value).is_absolute() or ".." in PurePosixPath(value).parts:
        raise ValueError(f"bad path {value!r}")
    return value


def version_key(version: str) -> tuple[int, ...]:
    """Sortable form of a package version ("1.9" < "1.10")."""
    return tuple(int(part) if part.isdigit() else 0 for part in re.split(r"[._-]", version))
