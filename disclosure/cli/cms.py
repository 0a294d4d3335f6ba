"""`python build.py cms`: the web editor at /admin/ (Decap CMS), configured from the kinds.

Staff who do not use git or YAML edit records in a browser form; every save is a file in
`content/<kind folder>/<year>/<索引号>.md` (a commit with a git backend), checked and built
like any other. The configuration is generated, never written by hand: every kind is a
folder collection, its fields are the kind's JSON Schema (`disclosure.cli.schema`, which
the models and their Chinese labels produce), agencies and categories are choices, and the
files a record names beside itself (附件, a CSV of items or cases) are uploads into the
record's folder. So a new field, kind, agency or category is in the editor at the next run.

The CMS script comes from npm (`make cms`, pinned in the Makefile), copied into the admin
folder: nothing is loaded from a third-party CDN. Without it the admin page says so.
The admin page needs a Content Security Policy of its own (`admin_policy`): the editor is
a script application that injects its styles and talks to the git host, which the
policy of the public pages rightly forbids. docs/cms.md explains the backends.
"""

from __future__ import annotations

import argparse
import html
import os
import shutil
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from disclosure.cli.schema import front_matter_schema
from disclosure.core.labels import labels_of
from disclosure.core.output_guard import REPOSITORY, git_work_tree
from disclosure.kinds import KINDS, Kind
from disclosure.site.content import read_config

DECAP_VERSION = "3.16.3"  # the Makefile's DECAP_CMS pin
SCRIPT_FOLDER = REPOSITORY / ".cms-tools" / "node_modules" / "decap-cms" / "dist"
LOCAL_PORT = 8081  # decap-server's port, where the CMS looks for its local backend
POLICY = ".csp"  # the admin folder's policy, for the server in front of it (never served itself)
BACKENDS = ("local", "gitlab", "gitea", "forgejo")
# the git hosts' editors that keep a change on a branch of its own until it is reviewed and
# merged (Decap's editorial workflow); Decap's `gitea` backend refuses that mode
REVIEWED = ("gitlab", "forgejo")
HOOKS = "cms-hooks.js"
# A key whose schema description says so names a file beside the record: an upload.
BESIDE_THE_RECORD = "与本文件同目录的"
LONG_TEXT = 300  # a string allowed this many characters or more gets a text area


@dataclass(frozen=True, slots=True)
class Backend:
    """Where the CMS reads and writes: decap-server on this computer, or a self-hosted git host."""

    name: str = "local"  # one of BACKENDS
    repo: str = ""  # owner/name on the git host
    branch: str = "main"
    url: str = ""  # the git host's root URL: https://git.example.gov.cn
    app_id: str = ""  # the OAuth application's client ID (PKCE: no secret in the page)
    port: int = LOCAL_PORT  # decap-server's port on this computer

    @property
    def local_api(self) -> str:
        """Return decap-server's API address."""
        return f"http://localhost:{self.port}/api/v1"

    def config(self) -> dict[str, Any]:
        """Return the `backend:` section of config.yml."""
        if self.name == "local":
            return {"name": "proxy", "proxy_url": self.local_api, "branch": self.branch}
        root = self.url.rstrip("/")
        section: dict[str, Any] = {
            "name": self.name,
            "repo": self.repo,
            "branch": self.branch,
            "base_url": root,
        }
        if self.name == "gitlab":
            section |= {"api_root": f"{root}/api/v4", "auth_type": "pkce", "app_id": self.app_id}
        else:  # gitea and forgejo: Gitea's API; both log in at <base_url>/login/oauth/authorize
            section |= {"api_root": f"{root}/api/v1", "app_id": self.app_id}
        return section

    @property
    def connects(self) -> tuple[str, ...]:
        """Return the origins the admin page talks to: decap-server, and the git host if any."""
        local = (f"http://localhost:{self.port}", f"http://127.0.0.1:{self.port}")
        return local + ((self.url.rstrip("/"),) if self.url else ())


LOCAL = Backend()  # decap-server on this computer, port 8081 (make cms)


def admin_policy(backend: Backend = LOCAL) -> str:
    """Return the Content Security Policy of /admin/ only (the pages keep theirs).

    Decap CMS is one script bundle served from /admin/ itself. It checks config.yml with
    ajv, which compiles its checks to functions at run time (`'unsafe-eval'`; still no
    inline script and no script from elsewhere), injects its styles at run time
    (`'unsafe-inline'` styles), previews uploads as blob: and data: URLs (and reads them back
    as blob: to save them), and sends its
    requests to decap-server or the git host, nowhere else.
    """
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' 'unsafe-eval'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "media-src 'self' blob:",
            f"connect-src 'self' blob: {' '.join(backend.connects)}",
            "frame-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


# ---- the configuration, from the kinds' JSON Schema ----


def cms_config(
    folder: str,
    agencies: tuple[str, ...],
    categories: tuple[str, ...],
    backend: Backend = LOCAL,
    index_pattern: str | None = None,
) -> dict[str, Any]:
    """Return config.yml as data: one folder collection per kind under `folder` (the content
    folder, relative to the root of the repository the backend writes to). With the site's
    `index_number_pattern`, the editor refuses a 索引号 of another form before it saves."""
    schema = front_matter_schema(agencies, categories)
    defs = schema["$defs"]
    if index_pattern and portable(index_pattern):
        for kind in KINDS:
            defs[kind.name]["properties"]["index_number"]["pattern"] = index_pattern
    config: dict[str, Any] = {
        "locale": "zh_Hans",
        "backend": backend.config(),
        # media belong to a record: each collection stores them beside the entry; this
        # folder is only where Decap's own media page would upload (use a record's 附件)
        "media_folder": f"{folder}/documents",
        "slug": {"encoding": "unicode", "clean_accents": False, "sanitize_replacement": "-"},
        "collections": [collection(kind, defs[kind.name], defs, folder) for kind in KINDS],
    }
    if backend.name != "local":
        # on localhost, decap-server (make cms) instead of the git host
        config["local_backend"] = True if backend.port == LOCAL_PORT else {"url": backend.local_api}
        if backend.name in REVIEWED:
            config["publish_mode"] = "editorial_workflow"
    return config


def portable(pattern: str) -> bool:
    """Return whether a Python regular expression means the same in JavaScript (no named groups,
    look-behinds, inline flags or \\A/\\Z anchors): only such a pattern is given to the editor."""
    return "(?" not in pattern.replace("(?:", "") and not any(
        token in pattern for token in ("\\A", "\\Z", "\\z")
    )


def collection(kind: Kind, node: Mapping[str, Any], defs: Mapping[str, Any], folder: str) -> dict[str, Any]:
    """Return the folder collection of `kind`: where its records live and their fields."""
    labels = labels_of(kind.name)
    return {
        "name": kind.name,
        "label": kind.label,
        "label_singular": kind.label,
        "description": f"{folder}/{kind.folder}/ 下的{kind.label}；保存后由 build.py check 校验，全部通过才发布。",
        "folder": f"{folder}/{kind.folder}",
        "create": True,
        "extension": "md",
        "format": "frontmatter",
        # content/<folder>/<year>/<索引号, / → ->.md, as `build.py new` names it ({{year}}: the
        # day the record is created: Decap reads no year from `published`)
        "path": "{{year}}/{{slug}}",
        "slug": "{{fields.index_number}}",
        "identifier_field": "title",
        "summary": "{{published}}　{{title}}",
        # newest first, as the site lists them
        "sortable_fields": [
            {"field": "published", "label": labels["published"], "default_sort": "desc"},
            {"field": "title", "label": labels["title"]},
            {"field": "index_number", "label": labels["index_number"]},
        ],
        # the list's filters and groups: drafts, records no longer in force, by year of publication
        "view_filters": [
            {"label": labels["draft"], "field": "draft", "pattern": True},
            {"label": "失效或废止", "field": "validity", "pattern": "失效|废止"},
        ],
        "view_groups": [{"label": "发布年份", "field": "published", "pattern": r"\d{4}"}],
        # files the record names sit beside it (attachments, CSV tables)
        "media_folder": "",
        "public_folder": "",
        "fields": [
            # a kind without 发文字号 (工作动态) refuses the key: the editor does not offer it
            *(f for f in fields_of(node, defs, top=True) if kind.doc_number or f["name"] != "doc_number"),
            {"name": "body", "label": labels["body"], "widget": "markdown", "required": False},
        ],
    }


def fields_of(node: Mapping[str, Any], defs: Mapping[str, Any], top: bool = False) -> list[dict[str, Any]]:
    """Return the fields of an object schema, in the model's order."""
    required = set(node.get("required", ()))
    return [field(key, sub, key in required, defs, top) for key, sub in node.get("properties", {}).items()]


def resolved(node: Mapping[str, Any], defs: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    """Return the one shape a schema node asks for, and whether null is allowed.

    References are followed; of `anyOf` options the null is dropped, and of the forms the
    build accepts (a list, or one value of it: `schema.lenient`) the list is the one the
    editor writes. Titles, descriptions and defaults of the outer node are kept.
    """
    outer = {k: v for k, v in node.items() if k in ("title", "description", "default")}
    nullable = False
    shape: Mapping[str, Any] = node
    while True:
        if "$ref" in shape:
            shape = {
                **defs[shape["$ref"].rpartition("/")[2]],
                **{k: v for k, v in shape.items() if k != "$ref"},
            }
            continue
        if "anyOf" in shape:
            options = [o for o in shape["anyOf"] if o.get("type") != "null"]
            nullable = nullable or len(options) < len(shape["anyOf"])
            lists = [o for o in options if o.get("type") == "array"]
            shape = {**{k: v for k, v in shape.items() if k != "anyOf"}, **(lists or options)[0]}
            continue
        break
    return {**shape, **outer}, nullable


def _types(node: Mapping[str, Any]) -> set[str]:
    found = node.get("type", ())
    return {found} if isinstance(found, str) else set(found)


def field(
    key: str, node: Mapping[str, Any], required: bool, defs: Mapping[str, Any], top: bool = False
) -> dict[str, Any]:
    """Return the CMS field of one front-matter key: its widget, label, hint and checks."""
    shape, nullable = resolved(node, defs)
    out: dict[str, Any] = {
        "name": key,
        "label": shape.get("title", key),
        "required": required and not nullable,
    }
    description = shape.get("description", "")
    if description:
        out["hint"] = description
    types = _types(shape)
    choices = shape.get("enum") or ([shape["const"]] if "const" in shape else None)
    if "array" in types:
        items, _ = resolved(shape.get("items", {}), defs)
        if items.get("enum"):
            out |= {"widget": "select", "multiple": True, "options": list(items["enum"])}
        elif "object" in _types(items):
            out |= {"widget": "list", "fields": fields_of(items, defs), "collapsed": False}
        else:  # a list of words: typed one after another, separated by commas
            out |= {"widget": "list"}
        if shape.get("minItems"):
            out["min"] = shape["minItems"]
    elif "object" in types:
        out |= {"widget": "object", "fields": fields_of(shape, defs), "collapsed": False}
    elif choices:
        out |= {"widget": "select", "options": list(choices)}
    elif shape.get("format") == "date":
        out |= {
            "widget": "datetime",
            "format": "YYYY-MM-DD",
            "date_format": "YYYY-MM-DD",
            "time_format": False,
        }
        if top and out["required"]:
            out["default"] = "{{now}}"
    elif types == {"boolean"}:
        out["widget"] = "boolean"
    elif types == {"integer"} or types == {"number"}:
        out |= {"widget": "number", "value_type": "int" if types == {"integer"} else "float"}
        out |= {
            name: shape[bound] for name, bound in (("min", "minimum"), ("max", "maximum")) if bound in shape
        }
    elif BESIDE_THE_RECORD in description:
        out |= {"widget": "file", "choose_url": False}
    else:
        longest = shape.get("maxLength")
        out["widget"] = "text" if longest and longest >= LONG_TEXT else "string"
        if longest:
            out["pattern"] = [f"^[\\s\\S]{{0,{longest}}}$", f"最多 {longest} 个字"]
        elif shape.get("pattern"):  # the site's index_number_pattern
            out["pattern"] = [shape["pattern"], "格式不对，见下方的说明"]
    # a default only at the top: a default inside a list item would pre-fill an item
    if top and "default" in shape and shape["default"] not in (None, [], "") and "default" not in out:
        out["default"] = shape["default"]
    return out


# ---- the admin folder ----

PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<link href="config.yml" type="text/yaml" rel="cms-config-url">
</head>
<body>
{body}
</body>
</html>
"""

MISSING = """<main>
<h1>网页编辑器尚未安装</h1>
<p>没有找到 Decap CMS 的脚本 decap-cms.js，所以这里不能编辑。请在本仓库中运行 <code>make cms</code>（需要 npm，
会把 decap-cms@{version} 安装到 .cms-tools/），再重新运行 <code>python build.py cms</code>。</p>
<p>不用网页编辑器也可以发布：在 content/ 下新建或修改文件（<code>python build.py new</code>），
用 <code>python build.py check</code> 校验。说明见 docs/cms.md。</p>
</main>"""

# Decap writes "" for a field typed in and emptied, and [] / {} for lists and groups left
# empty; the models read "" as a value (发文字号 "" is refused), so they are dropped before
# a save, as if never written.
HOOKS_JS = """// Generated by build.py cms: drop empty values before a record is saved.
(function () {
  function empty(value) {
    return value === '' || value === null || value === undefined ||
      (value && typeof value.size === 'number' && typeof value.filter === 'function' && value.size === 0);
  }
  function prune(value) {
    if (value && typeof value.filter === 'function' && typeof value.map === 'function') {
      return value.map(prune).filter(function (item) { return !empty(item); });
    }
    return value;
  }
  window.CMS.registerEventListener({
    name: 'preSave',
    handler: function (event) {
      var data = event.entry.get('data');
      var body = data.get('body');
      data = prune(data);
      return body === undefined ? data : data.set('body', body);
    },
  });
})();
"""


def script_files(folder: Path) -> list[Path]:
    """Return the files of Decap's bundle: decap-cms.js, the chunks it loads, its WebAssembly."""
    if not (folder / "decap-cms.js").is_file():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.name.endswith("decap-cms.js") or p.suffix == ".wasm" or p.name == "decap-cms.js.LICENSE.txt"
    )


def admin_files(config: Mapping[str, Any], scripts: Iterable[Path], policy: str) -> dict[str, bytes]:
    """Return the admin folder's files by name: the page, config.yml, the hooks, the CMS bundle
    and the policy the server in front of it sends (`.csp`)."""
    scripts = list(scripts)
    title = "阳光公开 网页编辑"
    body = (
        f'<script src="decap-cms.js"></script>\n<script src="{HOOKS}"></script>'
        if scripts
        else MISSING.format(version=DECAP_VERSION)
    )
    header = "# Generated by `python build.py cms` from the kinds' schema: do not edit (re-run it instead).\n"
    files = {
        "index.html": PAGE.format(title=html.escape(title), body=body).encode(),
        "config.yml": (
            header + yaml.safe_dump(dict(config), allow_unicode=True, sort_keys=False, width=200)
        ).encode(),
        POLICY: f"{policy}\n".encode(),
    }
    if scripts:
        files[HOOKS] = HOOKS_JS.encode()
        files |= {path.name: path.read_bytes() for path in scripts}
    return files


def content_folder(content: Path, root: Path) -> str | None:
    """Return the content folder relative to `root` in POSIX form, or None when it is outside."""
    try:
        relative = content.resolve().relative_to(root.resolve())
    except ValueError:
        return None
    return relative.as_posix() if relative.parts else "."


def write_admin(args: argparse.Namespace) -> int:
    """Write the admin folder (`--output`); return the exit status."""
    content = Path(args.content)
    site, agencies, categories, problems = read_config(content)
    if site is None or any(p.is_error for p in problems):
        for problem in problems:
            print(problem, file=sys.stderr)
        print("未生成网页编辑器：请先改正以上配置错误（python build.py check）。", file=sys.stderr)
        return 1
    root = Path(args.root) if args.root else (git_work_tree(content.resolve()) or content.resolve().parent)
    folder = content_folder(content, root)
    if folder is None:
        print(
            f"内容目录 {content} 不在仓库根目录 {root} 之内：网页编辑器只能写入 --root 之内的文件。",
            file=sys.stderr,
        )
        return 1
    backend = Backend(args.backend, args.repo, args.branch, args.git_url, args.app_id, args.local_port)
    if backend.name != "local" and not (backend.repo and backend.url and backend.app_id):
        print(
            f"--backend {backend.name} 需要 --repo（所有者/仓库名）、--git-url（git 服务器地址）和 --app-id（OAuth 应用的 Client ID）。",
            file=sys.stderr,
        )
        return 1
    output = Path(args.output)
    if output.resolve().is_relative_to(content.resolve()):
        print(
            f"输出目录 {output} 位于内容目录之内，会混入内容文件：已拒绝，未写入任何文件。", file=sys.stderr
        )
        return 1
    names, paths = tuple(a.name for a in agencies), tuple(c.path for c in categories)
    config = cms_config(folder, names, paths, backend, site.index_number_pattern)
    scripts = script_files(Path(args.script_folder) if args.script_folder else SCRIPT_FOLDER)
    files = admin_files(config, scripts, admin_policy(backend))
    try:
        publish_folder(output, files)
    except OSError as exc:
        print(f"写入 {output} 时出错：{exc.strerror or exc}。", file=sys.stderr)
        return 1
    print(
        f"已写入网页编辑器 {output}/（{len(config['collections'])} 个栏目，内容目录 {folder}/，仓库根目录 {root}）",
        file=sys.stderr,
    )
    if not scripts:
        print(
            "未找到 Decap CMS 脚本（.cms-tools/）：管理页面只显示“网页编辑器尚未安装”。请运行 make cms（需要 npm）。",
            file=sys.stderr,
        )
    print(f"/admin/ 的内容安全策略（CSP）：{admin_policy(backend)}", file=sys.stderr)
    return 0


MARKER = ".yangguang-cms"  # marks a folder this command wrote, so it alone is ever replaced


def publish_folder(output: Path, files: Mapping[str, bytes]) -> None:
    """Replace `output` by a folder of `files`, written beside it first; refuse a folder it did not write."""
    if output.is_symlink() or (output.exists() and not (output / MARKER).is_file() and any(output.iterdir())):
        raise OSError(f"{output} 已存在且不是本命令生成的目录，未改动它")
    staging = output.with_name(f".{output.name}.new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name, data in files.items():
        (staging / name).write_bytes(data)
    (staging / MARKER).write_text("written by python build.py cms\n", encoding="utf-8")
    old = output.with_name(f".{output.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if output.exists():
        os.replace(output, old)
    os.replace(staging, output)
    shutil.rmtree(old, ignore_errors=True)


def folder_policy(folder: Path) -> str:
    """Return the policy `build.py cms` wrote for the admin folder, or the local one."""
    try:
        return (folder / POLICY).read_text(encoding="utf-8").strip() or admin_policy()
    except OSError:
        return admin_policy()


def admin_file(folder: Path, url_path: str) -> Path | None:
    """Return the file of the admin folder a URL path under /admin/ names (index.html for /admin/), never outside it."""
    name = url_path.removeprefix("/admin/") or "index.html"
    if "/" in name or name.startswith(".") or not name:
        return None
    file = folder / name
    return file if file.is_file() else None


def add_cms_parser(commands: Any) -> None:
    """Add `build.py cms` and its options to the command line's subparsers."""
    cms = commands.add_parser(
        "cms", help="生成网页编辑器（Decap CMS）的 /admin/ 页面与配置，按记录类别与 Schema 生成"
    )
    cms.add_argument("--content", default="content", help="内容目录（默认 content）")
    cms.add_argument(
        "--output",
        default=".cms-admin",
        help="写入的目录（默认 .cms-admin；serve --admin 在 /admin/ 提供它）",
    )
    cms.add_argument("--root", default=None, help="编辑器写入的仓库根目录（默认：内容目录所在的 git 仓库）")
    cms.add_argument(
        "--backend",
        choices=BACKENDS,
        default="local",
        help="local：本机 decap-server（make cms）；gitlab、gitea、forgejo：自建 git 服务器",
    )
    cms.add_argument("--repo", default="", help="git 服务器上的仓库：所有者/仓库名")
    cms.add_argument("--branch", default="main", help="编辑器读写的分支（默认 main）")
    cms.add_argument("--git-url", default="", help="git 服务器地址，如 https://git.example.gov.cn")
    cms.add_argument("--app-id", default="", help="在 git 服务器上登记的 OAuth 应用的 Client ID")
    cms.add_argument(
        "--local-port", type=int, default=LOCAL_PORT, help=f"本机 decap-server 的端口（默认 {LOCAL_PORT}）"
    )
    cms.add_argument(
        "--script-folder", default=None, help=argparse.SUPPRESS
    )  # tests: another copy of Decap's dist/
