"""A stable world on disk: upstream with a release tag, a stable distgit, metadata, a GPG key.

Everything is real: git repositories (the metadata is a bare repo that also
receives ``refs/for/master`` reviews), a spec whose Source0 is the upstream
release tarball, and a GPG key made by gpg in a short-path GNUPGHOME (the
agent's socket must fit in a sockaddr) with a passphrase given through a file.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import git
from trunkline.process import run

RELEASE = "flamingo"
TAGS = [f"cloud9s-openstack-{RELEASE}-{p}" for p in ("candidate", "testing", "release")]
PASSPHRASE = "correct horse battery staple"

SPEC = """\
%global upstream_version {version}
Name:           python-foo
Version:        {version}
Release:        1%{{?dist}}
Summary:        Foo, a tiny test package
License:        MIT
BuildArch:      noarch
Source0:        https://tarballs.example.org/foo/foo-%{{upstream_version}}.tar.gz

%description
Foo.

%prep
%setup -q -n foo-%{{upstream_version}}

%build

%install
mkdir -p %{{buildroot}}%{{_datadir}}/foo
cp -p hello.txt %{{buildroot}}%{{_datadir}}/foo/

%files
%{{_datadir}}/foo/hello.txt

%changelog
* Mon Nov 03 2025 Test <t@example.org> - {version}-1
- Update to {version}
"""

RDO_YML = """\
# test metadata
releases:
- name: {release}
  status: maintained
  branch: {release}-rdo
  upstream_branch: stable/2025.2
  repos:
  - name: el9s
    buildsys: cbs/cloud9s-openstack-{release}-el9s
    buildsys-tags:
    - cloud9s-openstack-{release}-el9s-build
    - cloud9s-openstack-{release}-candidate
    - cloud9s-openstack-{release}-testing
    - cloud9s-openstack-{release}-release
package-configs:
  test-lib:
    name: python-%(project)s
    upstream: {upstream}
    distgit: {distgit}
    maintainers: [libs@example.org]
packages:
- project: foo
  conf: test-lib
  tags:
    {release}: null
"""

BTAG_FILE = """\
# {tag}: the NVRs CBS holds in this tag (kept by reviews)
packages:
- project: bar
  buildsys-tags:
    {tag}: bar-0.1-1.el9s
"""


@dataclass
class StableWorld:
    """Paths of one stable world (see module doc)."""

    root: Path
    upstream: Path
    distgit: Path
    metadata: Path  # bare repo: [packages] path, and the review remote
    gnupg: Path
    key: str
    passphrase_file: Path

    def config(
        self, *extra: str, driver_lines: str = 'driver = "local"\n', data: str = "data"
    ) -> Path:
        """Write a builder config (``<data>.toml``, data in ``<data>/``) using this world;
        ``extra`` lines go under ``[stable]``."""
        path = self.root / f"{data}.toml"
        path.write_text(
            "[builder]\n"
            f'data_dir = "{self.root / data}"\n'
            "[packages]\n"
            f'path = "{self.metadata}"\n'
            'ref = "master"\n'
            'info_files = ["rdo-full.yml"]\n'
            "[stable]\n" + driver_lines + "".join(f"{line}\n" for line in extra)
        )
        return path

    def signing_lines(self) -> tuple[str, ...]:
        """``[stable]`` lines that sign with the world's key."""
        return (
            f'gpg_key = "{self.key}"',
            f'gpg_home = "{self.gnupg}"',
            f'gpg_passphrase_file = "{self.passphrase_file}"',
        )

    def merge_review(self) -> None:
        """Merge the pending review as Gerrit would: master takes refs/for/master."""
        git(self.metadata, "update-ref", "refs/heads/master", "refs/for/master")

    def metadata_file(self, rel: str, ref: str = "master") -> str:
        """A metadata file's text at ``ref``."""
        return git(self.metadata, "show", f"{ref}:{rel}")

    def close(self) -> None:
        """Stop the gpg-agent the key's home started; remove the home."""
        run(["gpgconf", "--homedir", str(self.gnupg), "--kill", "gpg-agent"], check=False)
        shutil.rmtree(self.gnupg, ignore_errors=True)


def _commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def make_gpg_key(passphrase_file: Path) -> tuple[Path, str]:
    """A fresh GNUPGHOME (short path) with an ed25519 signing key; (home, fingerprint)."""
    home = Path(tempfile.mkdtemp(prefix="tlg", dir="/tmp"))
    home.chmod(0o700)
    base = ["gpg", "--homedir", str(home), "--batch", "--pinentry-mode", "loopback"]
    run(
        [
            *base,
            "--passphrase-file",
            str(passphrase_file),
            "--quick-gen-key",
            "Trunkline Stable Test <stable@example.org>",
            "ed25519",
            "sign",
            "never",
        ],
        timeout=120,
    )
    out = run([*base, "--with-colons", "--list-secret-keys"], timeout=60).stdout
    fpr = next(line.split(":")[9] for line in out.splitlines() if line.startswith("fpr:"))
    return home, fpr


def make_world(root: Path, version: str = "1.2.0", *, with_key: bool = True) -> StableWorld:
    """Create the world under ``root`` (``with_key=False``: no GPG home, no key; no signing)."""
    root.mkdir(parents=True, exist_ok=True)
    upstream = root / "upstream" / "foo"
    upstream.mkdir(parents=True)
    git(upstream, "init", "-q", "-b", "master")
    (upstream / "hello.txt").write_text(f"hello from foo {version}\n")
    _commit_all(upstream, "foo")
    git(upstream, "tag", "-a", version, "-m", version)

    distgit = root / "distgit" / "python-foo"
    distgit.mkdir(parents=True)
    git(distgit, "init", "-q", "-b", f"{RELEASE}-rdo")
    (distgit / "python-foo.spec").write_text(SPEC.format(version=version))
    _commit_all(distgit, f"Update to {version}")

    work = root / "metadata-work"
    work.mkdir()
    git(work, "init", "-q", "-b", "master")
    (work / "rdo-full.yml").write_text("import:\n- rdo.yml\n- buildsys-tags.yml\n")
    (work / "rdo.yml").write_text(
        RDO_YML.format(release=RELEASE, upstream=upstream, distgit=distgit)
        + "- project: bar\n  conf: test-lib\n  tags:\n    "
        + RELEASE
        + ": null\n"
    )
    imports = "".join(f"- buildsys-tags/{t}.yml\n" for t in TAGS[1:])
    (work / "buildsys-tags.yml").write_text("import:\n" + imports)
    for tag in TAGS[1:]:
        path = work / "buildsys-tags" / f"{tag}.yml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(BTAG_FILE.format(tag=tag))
    _commit_all(work, "metadata")
    metadata = root / "metadata.git"
    git(root, "clone", "-q", "--bare", str(work), str(metadata))

    passphrase_file = root / "passphrase"
    passphrase_file.write_text(PASSPHRASE + "\n")
    gnupg, key = make_gpg_key(passphrase_file) if with_key else (root / "no-gnupg", "")
    return StableWorld(root, upstream, distgit, metadata, gnupg, key, passphrase_file)
