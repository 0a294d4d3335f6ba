"""The web editor's configuration (`build.py cms`, disclosure/cli/cms.py), without a browser.

The configuration is generated from the kinds: each test compares it with the kinds' own
JSON Schema and models, with the sample content's agencies and categories, so a field a
model gains and the editor does not offer (or offers with the wrong widget, writing a
string where a list is asked, a date in another format) fails here. The browser test
(tests/test_cms_browser.py) saves a record through the real editor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from werkzeug.test import Client

from disclosure.cli import cms, serve
from disclosure.cli.schema import front_matter_schema
from disclosure.core.labels import labels_of
from disclosure.kinds import KIND_BY_NAME, KINDS
from disclosure.site.content import read_config
from search.service.http_headers import CONTENT_SECURITY_POLICY

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "content"


@pytest.fixture(scope="module")
def sample() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The sample content's agencies (full names) and category paths."""
    _site, agencies, categories, _problems = read_config(SAMPLE)
    return tuple(a.name for a in agencies), tuple(c.path for c in categories)


@pytest.fixture(scope="module")
def config(sample: tuple[tuple[str, ...], tuple[str, ...]]) -> dict[str, Any]:
    """The configuration `build.py cms` writes for the sample, read back from its YAML."""
    data = cms.cms_config("content", *sample)
    files = cms.admin_files(data, [], cms.admin_policy())
    return yaml.safe_load(files["config.yml"])


def by_name(fields: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f["name"]: f for f in fields}


def walk(fields: list[dict[str, Any]], prefix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield every field with its dotted key (attachments.file), nested ones too."""
    for f in fields:
        key = f"{prefix}{f['name']}"
        yield key, f
        yield from walk(f.get("fields", []), f"{key}.")


def test_every_kind_is_a_folder_collection_where_its_records_live(config: dict[str, Any]) -> None:
    collections = by_name(config["collections"])
    assert list(collections) == [kind.name for kind in KINDS]
    for kind in KINDS:
        c = collections[kind.name]
        assert c["label"] == kind.label
        assert c["folder"] == f"content/{kind.folder}"
        assert (c["format"], c["extension"], c["create"]) == ("frontmatter", "md", True)
        # content/<folder>/<year>/<索引号 with / → ->.md, as `build.py new` names a record
        assert (c["path"], c["slug"]) == ("{{year}}/{{slug}}", "{{fields.index_number}}")
        # the files a record names sit beside it
        assert (c["media_folder"], c["public_folder"]) == ("", "")
        # the list sorts, filters and groups by fields the kind has
        names = {f["name"] for f in c["fields"]}
        listed = [s["field"] for s in c["sortable_fields"]] + [
            v["field"] for v in c["view_filters"] + c["view_groups"]
        ]
        assert set(listed) <= names and c["sortable_fields"][0] == {
            "field": "published",
            "label": "发布日期",
            "default_sort": "desc",
        }


def test_every_key_of_every_kind_is_a_field_required_as_the_model_requires(config: dict[str, Any]) -> None:
    collections = by_name(config["collections"])
    for kind in KINDS:
        schema = kind.model.model_json_schema()
        fields = by_name(collections[kind.name]["fields"])
        keys = [key for key in schema["properties"] if kind.doc_number or key != "doc_number"]
        assert list(fields) == [*keys, "body"], kind.name
        required = {name for name, f in fields.items() if f["required"]}
        assert required == set(schema["required"]), kind.name
        labels = labels_of(kind.name)
        for name, f in fields.items():
            assert f["label"] == labels[name], (kind.name, name)  # the Chinese label of pages and messages


def test_agencies_and_categories_are_the_contents_choices(
    config: dict[str, Any], sample: tuple[tuple[str, ...], tuple[str, ...]]
) -> None:
    agencies, categories = sample
    assert len(agencies) > 5 and len(categories) > 50
    for c in config["collections"]:
        fields = by_name(c["fields"])
        # a list (a joint document names several, lead first), of full names only
        assert fields["agency"] | {"options": None} == {
            "name": "agency",
            "label": "发布机构",
            "required": True,
            "widget": "select",
            "multiple": True,
            "min": 1,
            "options": None,
            "hint": fields["agency"]["hint"],
        }
        assert fields["agency"]["options"] == list(agencies)
        assert fields["category"]["widget"] == "select" and "multiple" not in fields["category"]
        assert fields["category"]["options"] == list(categories)


def schema_shapes(
    agencies: tuple[str, ...], categories: tuple[str, ...]
) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """Yield (kind, dotted key, the key's schema node resolved, its defs) for every key of every kind."""
    schema = front_matter_schema(agencies, categories)
    defs = schema["$defs"]

    def keys(node: dict[str, Any], prefix: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for key, sub in node.get("properties", {}).items():
            shape, _ = cms.resolved(sub, defs)
            yield f"{prefix}{key}", shape
            items = cms.resolved(shape.get("items", {}), defs)[0] if "items" in shape else shape
            if "properties" in items:
                yield from keys(items, f"{prefix}{key}.")

    for kind in KINDS:
        for key, shape in keys(defs[kind.name], ""):
            yield kind.name, key, shape, defs


def test_each_widget_writes_what_the_schema_asks(
    config: dict[str, Any], sample: tuple[tuple[str, ...], tuple[str, ...]]
) -> None:
    fields = {c["name"]: dict(walk(c["fields"])) for c in config["collections"]}
    seen: set[str] = set()
    for kind, key, shape, defs in schema_shapes(*sample):
        if key == "doc_number" and not KIND_BY_NAME[kind].doc_number:
            assert key not in fields[kind]  # 工作动态 has no 发文字号
            continue
        f = fields[kind][key]
        types = cms._types(shape)
        items = cms.resolved(shape["items"], defs)[0] if "items" in shape else {}
        if shape.get("format") == "date":  # YYYY-MM-DD, as text: the models' only date format
            assert (f["widget"], f["format"], f["date_format"], f["time_format"]) == (
                "datetime",
                "YYYY-MM-DD",
                "YYYY-MM-DD",
                False,
            ), key
            seen.add("date")
        elif "array" in types and items.get("enum"):
            assert (f["widget"], f["multiple"], f["options"]) == ("select", True, items["enum"]), key
            seen.add("choices")
        elif "array" in types and "properties" in items:  # a list of groups: the same keys, required alike
            assert f["widget"] == "list" and [s["name"] for s in f["fields"]] == list(items["properties"]), (
                key
            )
            assert {s["name"] for s in f["fields"] if s["required"]} == set(items.get("required", ())), key
            seen.add("list of groups")
        elif "array" in types:  # a list of words, never one string
            assert f["widget"] == "list" and "fields" not in f, key
            seen.add("list")
        elif "properties" in shape:
            assert f["widget"] == "object" and [s["name"] for s in f["fields"]] == list(
                shape["properties"]
            ), key
            seen.add("group")
        elif shape.get("enum") or "const" in shape:
            assert (f["widget"], f["options"]) == ("select", shape.get("enum") or [shape["const"]]), key
            seen.add("choice")
        elif types == {"boolean"}:
            assert f["widget"] == "boolean", key
        elif types == {"integer"}:
            assert (f["widget"], f["value_type"]) == ("number", "int"), key
            assert (f.get("min"), f.get("max")) == (shape.get("minimum"), shape.get("maximum")), key
            seen.add("integer")
        elif cms.BESIDE_THE_RECORD in shape.get("description", ""):
            assert f["widget"] == "file", key
        else:
            assert f["widget"] in ("string", "text"), key
            if "maxLength" in shape:
                assert f["pattern"][0] == f"^[\\s\\S]{{0,{shape['maxLength']}}}$", key
        if "default" in f and "{{" not in str(f["default"]):
            assert f["default"] == shape["default"], key
    assert seen == {"date", "choices", "list of groups", "list", "group", "choice", "integer"}


def test_the_sites_index_number_pattern_is_checked_in_the_editor(
    sample: tuple[tuple[str, ...], tuple[str, ...]],
) -> None:
    site, *_ = read_config(SAMPLE)
    assert site is not None
    config = cms.cms_config("content", *sample, index_pattern=site.index_number_pattern)
    for c in config["collections"]:
        assert by_name(c["fields"])["index_number"]["pattern"][0] == site.index_number_pattern
    # a pattern JavaScript reads otherwise (a named group) is left to `check`
    python_only = cms.cms_config("content", *sample, index_pattern=r"^(?P<code>\d{9})/\d{4}-\d{5}$")
    assert all("pattern" not in by_name(c["fields"])["index_number"] for c in python_only["collections"])


def test_the_files_beside_a_record_are_uploads(config: dict[str, Any]) -> None:
    uploads = {
        (c["name"], key)
        for c in config["collections"]
        for key, f in walk(c["fields"])
        if f["widget"] == "file"
    }
    attachments = {(kind.name, "attachments.file") for kind in KINDS}
    assert uploads == attachments | {("approval", "items_csv"), ("case", "cases_csv")}


def test_no_list_item_is_prefilled(config: dict[str, Any]) -> None:
    """A default inside a list's item makes Decap add a half-filled item to every new record."""
    for c in config["collections"]:
        for key, f in walk(c["fields"]):
            if "." in key:
                assert "default" not in f, (c["name"], key)


def test_the_local_backend_is_decap_server_and_a_git_host_reviews_changes() -> None:
    local = cms.cms_config("content", (), ())
    assert local["backend"] == {
        "name": "proxy",
        "proxy_url": "http://localhost:8081/api/v1",
        "branch": "main",
    }
    assert "publish_mode" not in local  # decap-server writing files: nothing to review
    gitlab = cms.cms_config(
        "content", (), (), cms.Backend("gitlab", "gkml/site", "main", "https://git.example.cn/", "abc")
    )
    assert gitlab["backend"] == {
        "name": "gitlab",
        "repo": "gkml/site",
        "branch": "main",
        "base_url": "https://git.example.cn",
        "api_root": "https://git.example.cn/api/v4",
        "auth_type": "pkce",
        "app_id": "abc",
    }
    assert gitlab["publish_mode"] == "editorial_workflow" and gitlab["local_backend"] is True
    forgejo = cms.cms_config(
        "content", (), (), cms.Backend("forgejo", "gkml/site", "main", "https://git.example.cn", "abc")
    )
    assert forgejo["publish_mode"] == "editorial_workflow"
    # Decap's gitea backend throws on editorial_workflow: changes go to a branch reviewed in Gitea
    gitea = cms.cms_config(
        "content", (), (), cms.Backend("gitea", "gkml/site", "cms", "https://git.example.cn", "abc")
    )
    assert "publish_mode" not in gitea and gitea["backend"]["api_root"] == "https://git.example.cn/api/v1"
    policy = cms.admin_policy(cms.Backend("gitlab", "gkml/site", "main", "https://git.example.cn", "abc"))
    assert (
        "connect-src 'self' blob: http://localhost:8081 http://127.0.0.1:8081 https://git.example.cn;"
        in policy
    )


@pytest.fixture
def scripts(tmp_path: Path) -> Path:
    """A stand-in for Decap's dist/ folder: the bundle, one chunk, a source map left out."""
    dist = tmp_path / "dist"
    dist.mkdir()
    for name in ("decap-cms.js", "103.decap-cms.js", "103.decap-cms.js.map", "cms.js"):
        (dist / name).write_text(f"/* {name} */", encoding="utf-8")
    return dist


def test_cms_writes_the_admin_folder(
    tmp_path: Path, scripts: Path, run: Callable[..., tuple[int, str]]
) -> None:
    out = tmp_path / "admin"
    status, err = run("cms", "--content", SAMPLE, "--output", out, "--script-folder", scripts)
    assert status == 0, err
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [
            ".csp",
            ".yangguang-cms",
            "103.decap-cms.js",
            "cms-hooks.js",
            "config.yml",
            "decap-cms.js",
            "index.html",
        ]
    )
    page = (out / "index.html").read_text(encoding="utf-8")
    assert '<script src="decap-cms.js"></script>' in page and "<script>" not in page  # no inline script
    written = yaml.safe_load((out / "config.yml").read_text(encoding="utf-8"))
    assert [c["folder"] for c in written["collections"]] == [f"content/{k.folder}" for k in KINDS]
    assert (out / ".csp").read_text(encoding="utf-8").strip() == cms.admin_policy()
    # run again: its own folder is replaced whole
    (out / "stale.js").write_text("old", encoding="utf-8")
    assert run("cms", "--content", SAMPLE, "--output", out, "--script-folder", scripts)[0] == 0
    assert not (out / "stale.js").exists()


def test_without_the_script_the_admin_page_says_the_editor_is_not_installed(
    tmp_path: Path, run: Callable[..., tuple[int, str]]
) -> None:
    out = tmp_path / "admin"
    status, err = run("cms", "--content", SAMPLE, "--output", out, "--script-folder", tmp_path / "none")
    assert status == 0
    assert "未找到 Decap CMS 脚本" in err
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "网页编辑器尚未安装" in page and "make cms" in page and "<script" not in page
    assert (out / "config.yml").is_file()


def test_cms_refuses_a_folder_it_did_not_write_and_the_content_folder(
    tmp_path: Path, content: Path, run: Callable[..., tuple[int, str]]
) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep", encoding="utf-8")
    status, err = run("cms", "--content", content, "--output", mine)
    assert status == 1 and "不是本命令生成的目录" in err
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "keep"
    status, err = run("cms", "--content", content, "--output", content / "admin")
    assert status == 1 and "内容目录之内" in err and not (content / "admin").exists()
    status, err = run("cms", "--content", content, "--output", tmp_path / "a", "--backend", "gitlab")
    assert status == 1 and "--repo" in err


def test_serve_gives_admin_its_own_policy_and_keeps_the_sites(
    tmp_path: Path, scripts: Path, sample_site: Path, run: Callable[..., tuple[int, str]]
) -> None:
    admin = tmp_path / "admin"
    assert (
        run(
            "cms", "--content", SAMPLE, "--output", admin, "--script-folder", scripts, "--local-port", "18081"
        )[0]
        == 0
    )
    preview = Client(serve.static_app(sample_site, serve.BuildState(), None, admin))
    page = preview.get("/admin/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    policy = page.headers["Content-Security-Policy"]
    assert policy == cms.admin_policy(cms.Backend(port=18081)) and "http://localhost:18081" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]  # no inline script, even here
    assert b"__reload.js" not in page.data  # the editor is not a page of the site
    assert page.headers["X-Frame-Options"] == "DENY"
    assert preview.get("/admin/config.yml").mimetype == "text/yaml"
    assert preview.get("/admin").headers["Location"] == "/admin/"
    for hidden in ("/admin/.csp", "/admin/.yangguang-cms", "/admin/../index.html", "/admin/sub/x.js"):
        assert preview.get(hidden).status_code in (400, 404), hidden
    assert preview.get("/").headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    # without --admin there is no /admin/
    assert Client(serve.static_app(sample_site, serve.BuildState(), None)).get("/admin/").status_code == 404


def test_a_configuration_error_is_reported_and_nothing_is_written(
    tmp_path: Path, content: Path, run: Callable[..., tuple[int, str]]
) -> None:
    (content / "agencies.yaml").write_text("- name: 国务院办公厅\n  code: [\n", encoding="utf-8")
    status, err = run("cms", "--content", content, "--output", tmp_path / "admin")
    assert status == 1 and "agencies.yaml:" in err and "未生成网页编辑器" in err and "Traceback" not in err
    assert not (tmp_path / "admin").exists()
