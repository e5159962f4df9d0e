"""Installing, listing and removing translation models: Argos packages, model folders, the package index."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import stat
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from fetch_server import FetchServer, Handler
from osiwire.translate import models
from osiwire.translate.models import (
    MANIFEST,
    ModelError,
    choose_package,
    install_from_dir,
    install_from_file,
    install_from_index,
    list_models,
    read_model,
    remove_model,
)
from translation_models import argos_metadata, build_tiny_argos_package, build_tiny_model

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="session")
def argos_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_argos_package(tmp_path_factory.mktemp("pkg") / "translate-ru_en-1_9.argosmodel")


@pytest.fixture(scope="session")
def model_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("plain") / "tiny-ru-en")


def leftovers(models_dir: Path) -> list[str]:
    """Hidden staging folders or downloads an install left behind."""
    return sorted(p.name for p in models_dir.iterdir() if p.name.startswith("."))


def write_zip(path: Path, entries: dict[str, bytes], links: tuple[str, ...] = ()) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return path


def package_entries(argos_package: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(argos_package) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_install_argos_package(argos_package: Path, tmp_path: Path) -> None:
    model = install_from_file(argos_package, tmp_path)
    assert model.id == "argos-translate-ru_en-1.9"
    assert (model.kind, model.version, model.source_langs, model.target_langs) == (
        "argos",
        "1.9",
        ("ru",),
        ("en",),
    )
    assert model.path == tmp_path / model.id
    assert (model.model_dir / "model.bin").is_file()
    assert model.source_spm == model.target_spm == model.path / "sentencepiece.model"
    assert not (model.path / "stanza").exists()  # osiwire brings its own sentence splitter
    assert model.supports("ru", "en") and not model.supports("en", "ru")
    assert list_models(tmp_path) == [model]
    assert leftovers(tmp_path) == []


def test_reinstall_replaces_and_remove_deletes(argos_package: Path, tmp_path: Path) -> None:
    install_from_file(argos_package, tmp_path)
    (tmp_path / "argos-translate-ru_en-1.9" / "stale.txt").write_text("from the first install")
    install_from_file(argos_package, tmp_path)
    [model] = list_models(tmp_path)
    assert not (model.path / "stale.txt").exists()
    remove_model(tmp_path, model.id)
    assert list_models(tmp_path) == []
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ModelError, match=re.escape("no installed model 'argos-translate-ru_en-1.9'")):
        remove_model(tmp_path, model.id)


def test_list_models_sorted_and_skips_broken(argos_package: Path, tmp_path: Path, model_folder: Path) -> None:
    install_from_dir(model_folder, tmp_path, source_lang="kk", target_lang="en", model_id="zz-kk-en")
    install_from_file(argos_package, tmp_path)
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / MANIFEST).write_text("{not json")
    (tmp_path / "no-manifest").mkdir()
    assert [m.id for m in list_models(tmp_path)] == ["argos-translate-ru_en-1.9", "zz-kk-en"]
    assert list_models(tmp_path / "missing") == []
    with pytest.raises(ModelError, match="unreadable model manifest"):
        read_model(tmp_path / "broken")


@pytest.mark.parametrize(
    "name",
    ["../evil.txt", "/tmp/evil.txt", "pkg/../../evil.txt", "pkg\\..\\evil.txt", "C:/evil.txt"],
)
def test_zip_slip_refused(name: str, argos_package: Path, tmp_path: Path) -> None:
    models_dir = tmp_path / "models"
    bad = write_zip(tmp_path / "bad.argosmodel", package_entries(argos_package) | {name: b"owned"})
    with pytest.raises(ModelError, match="unsafe path in archive"):
        install_from_file(bad, models_dir)
    assert not (tmp_path / "evil.txt").exists()
    assert list(models_dir.iterdir()) == []


def test_symlink_in_zip_refused(argos_package: Path, tmp_path: Path) -> None:
    bad = write_zip(tmp_path / "bad.argosmodel", package_entries(argos_package), links=("pkg/link",))
    with pytest.raises(ModelError, match="symbolic link"):
        install_from_file(bad, tmp_path / "models")


def test_oversized_zip_refused(argos_package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = tmp_path / "bomb.argosmodel"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in package_entries(argos_package).items():
            zf.writestr(name, data)
        zf.writestr("translate-ru_en-1_9/padding.bin", bytes(8 * 1024 * 1024))  # 8 MB of zeros, ~8 KB zipped
    assert bomb.stat().st_size < 2 * 1024 * 1024
    monkeypatch.setattr(models, "MAX_UNPACKED_BYTES", 4 * 1024 * 1024)
    with pytest.raises(ModelError, match="over the 4194304-byte limit"):
        install_from_file(bomb, tmp_path / "models")
    monkeypatch.setattr(models, "MAX_ZIP_ENTRIES", 3)
    with pytest.raises(ModelError, match="more than 3"):
        install_from_file(bomb, tmp_path / "models")


def _drop(suffix: str) -> Callable[[dict[str, bytes]], dict[str, bytes]]:
    return lambda entries: {k: v for k, v in entries.items() if not k.endswith(suffix)}


def _metadata(**changes: object) -> Callable[[dict[str, bytes]], dict[str, bytes]]:
    meta = argos_metadata("ru", "en", "1.9") | changes
    return lambda entries: entries | {"translate-ru_en-1_9/metadata.json": json.dumps(meta).encode()}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (_drop("metadata.json"), "no metadata.json"),
        (_drop("model/model.bin"), "no model/model.bin"),
        (_drop("sentencepiece.model"), "no sentencepiece.model"),
        (_metadata(type="sbd"), "does not describe a translate package"),
        (_metadata(from_code=None), "lacks from_code/to_code"),
        (_metadata(to_code="../../etc"), "unusable model id or language code"),
        (lambda e: e | {"translate-ru_en-1_9/metadata.json": b"{oops"}, "unreadable metadata.json"),
    ],
)
def test_bad_package_refused(
    change: Callable[[dict[str, bytes]], dict[str, bytes]], reason: str, argos_package: Path, tmp_path: Path
) -> None:
    bad = write_zip(tmp_path / "bad.argosmodel", change(package_entries(argos_package)))
    models_dir = tmp_path / "models"
    with pytest.raises(ModelError, match=reason) as caught:
        install_from_file(bad, models_dir)
    assert str(bad) in str(caught.value) and "\n" not in str(caught.value)
    assert list(models_dir.iterdir()) == []


def test_not_a_zip_refused(tmp_path: Path) -> None:
    fake = tmp_path / "fake.argosmodel"
    fake.write_bytes(b"<html>404 not found</html>")
    with pytest.raises(ModelError, match="not a zip archive"):
        install_from_file(fake, tmp_path / "models")
    with pytest.raises(ModelError, match="no such file"):
        install_from_file(tmp_path / "missing.argosmodel", tmp_path / "models")


def test_install_unpacked_argos_folder(argos_package: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(argos_package) as zf:
        zf.extractall(tmp_path / "unzipped")
    model = install_from_dir(tmp_path / "unzipped", tmp_path / "models")
    assert (model.id, model.kind) == ("argos-translate-ru_en-1.9", "argos")
    assert (tmp_path / "unzipped").is_dir()  # copied, never moved


def test_install_plain_ctranslate2_folder(model_folder: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="needs --from and --to"):
        install_from_dir(model_folder, tmp_path)
    model = install_from_dir(model_folder, tmp_path, source_lang="ru", target_lang="en")
    assert (model.id, model.kind, model.model_dir) == ("ctranslate2-tiny-ru-en", "ctranslate2", model.path)
    spaced = shutil.copytree(model_folder, tmp_path / "My Model (v2)")
    assert (
        install_from_dir(spaced, tmp_path, source_lang="ru", target_lang="en").id == "ctranslate2-My-Model-v2"
    )
    assert model.source_suffix == model.target_prefix == ()
    with pytest.raises(ModelError, match="not a folder"):
        install_from_dir(tmp_path / "nowhere", tmp_path)


def test_install_opus_mt_layout(model_folder: Path, tmp_path: Path) -> None:
    opus = tmp_path / "opus-mt-ru-en"
    shutil.copytree(model_folder, opus)
    (opus / "sentencepiece.model").rename(opus / "source.spm")
    shutil.copy(opus / "source.spm", opus / "target.spm")
    model = install_from_dir(opus, tmp_path / "models", source_lang="ru", target_lang="en")
    assert (model.source_spm.name, model.target_spm.name) == ("source.spm", "target.spm")
    assert model.source_suffix == ("</s>",)  # Marian models expect the end token on the source side


def test_install_nllb_layout(tmp_path: Path) -> None:
    folder = build_tiny_model(
        tmp_path / "nllb-tiny", sp_name="sentencepiece.bpe", user_symbols=("rus_Cyrl", "eng_Latn", "kaz_Cyrl")
    )
    model = install_from_dir(folder, tmp_path / "models", source_lang="ru", target_lang="en")
    assert model.source_langs == model.target_langs == ("en", "kk", "ru")
    assert model.supports("kk", "ru") and not model.supports("uz", "en")
    assert model.expand(model.source_prefix + model.source_suffix, "ru", "en") == ["rus_Cyrl", "</s>"]
    assert model.expand(model.target_prefix, "kk", "en") == ["eng_Latn"]
    with pytest.raises(ModelError, match="without ru/hy language tokens"):
        install_from_dir(folder, tmp_path / "models", source_lang="ru", target_lang="hy")


def test_non_ctranslate2_folder_refused(tmp_path: Path) -> None:
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "readme.txt").write_text("hello")
    with pytest.raises(ModelError, match=re.escape("no model.bin")):
        install_from_dir(tmp_path / "junk", tmp_path / "models", source_lang="ru", target_lang="en")
    assert list((tmp_path / "models").iterdir()) == []


# The package index over loopback: the real index's shape (a JSON list of package metadata with mirrors).


@pytest.fixture
def index_server(argos_package: Path) -> Iterator[FetchServer]:
    srv = FetchServer()
    body = argos_package.read_bytes()
    srv.routes["/pkg-1_9.argosmodel"] = lambda h: h.reply(200, body, {"Content-Type": "application/zip"})
    srv.routes["/gone.argosmodel"] = lambda h: h.reply(404, b"gone")
    srv.routes["/old.argosmodel"] = lambda h: h.reply(500, b"must not be chosen")
    index = [
        argos_metadata("ru", "en", "1.0", links=[srv.url("/old.argosmodel")], code="translate-ru_en"),
        argos_metadata(
            "ru",
            "en",
            "1.9",
            links=["ipfs://QmNotHttp", srv.url("/gone.argosmodel"), srv.url("/pkg-1_9.argosmodel")],
        ),
        argos_metadata("en", "ru", "1.9", links=[srv.url("/gone.argosmodel")]),
    ]
    serve_json(srv, "/index.json", index)
    srv.start()
    yield srv
    srv.stop()


def serve_json(srv: FetchServer, path: str, value: object) -> None:
    data = json.dumps(value).encode()

    def route(h: Handler) -> None:
        h.reply(200, data, {"Content-Type": "application/json"})

    srv.routes[path] = route


def test_install_from_index(index_server: FetchServer, argos_package: Path, tmp_path: Path) -> None:
    seen: list[tuple[int, int | None]] = []
    with httpx.Client(timeout=10) as client:
        model = install_from_index(
            "ru",
            "en",
            tmp_path,
            client=client,
            index_url=index_server.url("/index.json"),
            progress=lambda done, total: seen.append((done, total)),
        )
    assert model.id == "argos-translate-ru_en-1.9"
    size = argos_package.stat().st_size
    assert seen[-1] == (size, size)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert index_server.hits["/gone.argosmodel"] == 1  # the dead mirror was tried, then the next
    assert index_server.hits["/old.argosmodel"] == 0  # the older version is never downloaded
    assert leftovers(tmp_path) == []


def test_index_checksum(index_server: FetchServer, argos_package: Path, tmp_path: Path) -> None:
    digest = hashlib.sha256(argos_package.read_bytes()).hexdigest()
    link = [index_server.url("/pkg-1_9.argosmodel")]
    serve_json(index_server, "/good.json", [argos_metadata("ru", "en", "2.0", links=link, sha256=digest)])
    serve_json(index_server, "/bad.json", [argos_metadata("ru", "en", "2.0", links=link, sha256="0" * 64)])
    with httpx.Client(timeout=10) as client:
        install_from_index("ru", "en", tmp_path, client=client, index_url=index_server.url("/good.json"))
        with pytest.raises(ModelError, match="does not match the index"):
            install_from_index(
                "ru", "en", tmp_path / "b", client=client, index_url=index_server.url("/bad.json")
            )
    assert not (tmp_path / "b").exists() or leftovers(tmp_path / "b") == []


@pytest.mark.parametrize(
    ("pair", "path", "max_bytes", "reason"),
    [
        (("kk", "en"), "/index.json", 10**9, "no Argos package translates kk→en"),
        (("en", "ru"), "/index.json", 10**9, "404"),
        (("ru", "en"), "/index.json", 1000, "over the 1000-byte limit"),
        (("ru", "en"), "/missing.json", 10**9, "missing.json: download failed: HTTP 404"),
        (("ru", "en"), "/not-json", 10**9, "package index is not JSON"),
        (("ru", "en"), "/object.json", 10**9, "expected a JSON list"),
    ],
)
def test_index_failures(
    pair: tuple[str, str], path: str, max_bytes: int, reason: str, index_server: FetchServer, tmp_path: Path
) -> None:
    index_server.routes["/not-json"] = lambda h: h.reply(200, b"<html>maintenance</html>")
    serve_json(index_server, "/object.json", {"packages": []})
    with httpx.Client(timeout=10) as client, pytest.raises(ModelError, match=reason) as caught:
        install_from_index(
            *pair, tmp_path, client=client, index_url=index_server.url(path), max_bytes=max_bytes
        )
    assert "\n" not in str(caught.value)
    assert list_models(tmp_path) == []


def test_choose_package_prefers_newest_version() -> None:
    index = [argos_metadata("ru", "en", v) for v in ("1.9", "1.10", "1.2")] + [
        argos_metadata("ru", "en", "9.9", type="sbd")
    ]
    assert choose_package(index, "ru", "en", "index")["package_version"] == "1.10"
