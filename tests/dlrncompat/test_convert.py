"""projects.ini -> trunkline.toml: every DLRN option is carried or named, and the TOML loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dlrncompat.realistic import COMBOS, write_ini
from trunkline.config import load_settings
from trunkline.dlrncompat.convert import CORE_RULES
from trunkline.dlrncompat.importer import import_config
from trunkline.dlrncompat.options import DLRN_OPTIONS


def named(label: str, toml: str, lines: tuple[str, ...], ini: Path) -> bool:
    """True when the TOML carries ``label`` (a key's comment) or says why not."""
    comments = toml.splitlines()
    carried = any(c == f"# {label}" or c.startswith(f"# {label} (") for c in comments)
    listed = any(c.startswith(f"#   {label}: ") for c in comments)
    printed = any(ln.startswith(f"{ini}: {label}: not carried: ") for ln in lines)
    return carried or listed or printed


def test_every_default_option_has_a_rule() -> None:
    assert set(CORE_RULES) == {o.name for o in DLRN_OPTIONS if o.section == "DEFAULT"}


@pytest.mark.parametrize(("pkginfo", "build"), COMBOS)
def test_no_option_is_silently_dropped(tmp_path: Path, pkginfo: str, build: str) -> None:
    ini = write_ini(tmp_path, pkginfo, build)
    result = import_config(ini)
    missing = [o.label for o in DLRN_OPTIONS if not named(o.label, result.toml, result.lines, ini)]
    assert missing == []
    # every not-carried line says why and what to do
    assert all(ln.count("; ") >= 1 for ln in result.lines)


@pytest.mark.parametrize(("pkginfo", "build"), COMBOS)
def test_the_toml_loads_as_trunkline_settings(tmp_path: Path, pkginfo: str, build: str) -> None:
    result = import_config(write_ini(tmp_path / "dlrn", pkginfo, build))
    out = tmp_path / "elsewhere" / "trunkline.toml"
    out.parent.mkdir()
    out.write_text(result.toml)
    settings = load_settings(out)
    assert settings.builder.data_dir == tmp_path / "dlrn" / "data"  # relative to the ini


def test_what_a_realistic_rdoinfo_mock_builder_becomes(tmp_path: Path) -> None:
    ini = write_ini(tmp_path)
    out = tmp_path / "trunkline.toml"
    result = import_config(ini)
    out.write_text(result.toml)
    s = load_settings(out)
    b = s.builder
    assert (b.data_dir, b.repos_path) == (tmp_path / "data", tmp_path / "data" / "repos")
    assert b.baseurl == "https://trunk.example.org/centos9-master/"
    assert (b.distro_branch, b.source_branch, b.target) == ("rpm-master", "master", "centos9")
    assert (b.reponame, b.project_name, b.maxretries, b.workers) == ("delorean", "Example", 5, 4)
    assert (b.fallback_to_master, b.release_numbering, b.release_minor) == (
        False,
        "minor.date.hash",
        2,
    )
    assert (b.include_srpm_in_repo, b.keep_changelog, b.use_components) == (False, True, True)
    p = s.packages
    assert (p.source, p.path, p.ref) == ("rdoinfo", "https://github.com/example/rdoinfo-fork", None)
    assert (p.info_files, p.tag) == (("rdo.yml", "deps.yml"), "flamingo")
    m = s.build.mock
    assert s.build.driver == "mock"
    assert m.config == str(tmp_path / "mock-configs" / "centos9.cfg")
    assert (m.deps_url, m.install_after_build) == ("file:///srv/deps/delorean-deps.repo", False)
    r = s.replication
    assert r.targets == ("builder@backup.example.org:/srv/repos",)
    assert r.extra_args == ("-e", "ssh -p 2222")
    assert s.database.url == ""
    assert (s.notify.smtp_server, s.notify.smtp_port) == ("smtp.example.org", 0)
    assert s.notify.mail_maintainers
    assert "# [DEFAULT] rsyncport (DLRN's rsync -e 'ssh -p N')" in result.toml
    not_carried = {ln.split(": ")[1] for ln in result.lines}
    assert not_carried == {
        "[DEFAULT] gerrit",
        "[DEFAULT] gerrit_topic",
        "[DEFAULT] scriptsdir",
        "[DEFAULT] templatedir",
        "[DEFAULT] database_connection",
        "[DEFAULT] nonfallback_branches",
        "[DEFAULT] custom_preprocess",
        "[DEFAULT] allow_force_rechecks",
        "[DEFAULT] verbose_build",
        "[rdoinfo_driver] cache_dir",
    }
    assert (
        f"{ini}: [DEFAULT] gerrit_topic: not carried: carried with the gerrit review driver "
        'only; set [notify.gerrit] topic = "example-FTBFS"'
    ) in "\n".join(result.lines)


def test_dlrn_s_defaults_are_carried_as_dlrn_ran_them(tmp_path: Path) -> None:
    ini = tmp_path / "projects.ini"
    ini.write_text("[DEFAULT]\ndatadir=/srv/dlrn/data\nbaseurl=https://t.example.org/c9/\n")
    result = import_config(ini)
    out = tmp_path / "trunkline.toml"
    out.write_text(result.toml)
    s = load_settings(out)
    assert (s.builder.workers, s.builder.project_name) == (1, "RDO")  # DLRN's, not trunkline's
    assert s.build.mock.deps_url == "https://t.example.org/c9/delorean-deps.repo"
    assert (s.packages.path, s.packages.ref) == (
        "https://github.com/redhat-openstack/rdoinfo",
        "master",
    )
    assert "# [DEFAULT] workers (DLRN default)" in result.toml
    assert any(": [DEFAULT] target: not carried: not set" in ln for ln in result.lines)


def test_gitrepo_and_koji_options_are_each_named_as_not_carried(tmp_path: Path) -> None:
    ini = write_ini(tmp_path, "gitrepo", "koji")
    lines = import_config(ini).lines
    for opt in DLRN_OPTIONS:
        if opt.section in ("gitrepo_driver", "kojibuild_driver"):
            assert any(ln.startswith(f"{ini}: {opt.label}: not carried: ") for ln in lines), opt
    assert f"{ini}: [DEFAULT] build_driver: not carried: trunkline has no KojiBuildDriver; " in (
        "\n".join(lines)
    )


@pytest.mark.parametrize(
    ("target", "dist"),
    [
        ("centos8", ".el8"),
        ("centos9", ".el9"),
        ("centos9-stream", ".el9"),
        ("centos8-stream", ".el8"),
        ("centos-stream-9", ".el9"),
        ("redhat10", ".el10"),
        ("fedora", None),
    ],
)
def test_the_dist_tag_is_the_one_of_the_target_s_build_root(
    tmp_path: Path, target: str, dist: str | None
) -> None:
    """DLRN's targets (its scripts/<target>.cfg): the chroot's %{dist}, which trunkline defines."""
    ini = tmp_path / "projects.ini"
    ini.write_text(f"[DEFAULT]\ndatadir=data\ntarget={target}\n")
    result = import_config(ini)
    out = tmp_path / "trunkline.toml"
    out.write_text(result.toml)
    settings = load_settings(out)
    assert settings.builder.target == target
    if dist is None:
        assert settings.builder.dist == ".el9s"  # trunkline's default, and a line says so
        assert f"{ini}: [DEFAULT] target: not carried: DLRN's dist tag comes from the " in (
            "\n".join(result.lines)
        )
    else:
        assert settings.builder.dist == dist


@pytest.mark.parametrize(
    ("smtpserver", "server", "port"),
    [
        ("smtp.example.org", "smtp.example.org", 0),  # DLRN's smtplib.SMTP(host): port 25
        ("smtp.example.org:2525", "smtp.example.org", 2525),  # smtplib's host:port form
        ("", "", 0),  # no mail
    ],
)
def test_dlrn_s_smtpserver_becomes_the_notify_mail_server(
    tmp_path: Path, smtpserver: str, server: str, port: int
) -> None:
    ini = tmp_path / "projects.ini"
    ini.write_text(f"[DEFAULT]\ndatadir=/srv/dlrn/data\nsmtpserver={smtpserver}\n")
    out = tmp_path / "trunkline.toml"
    out.write_text(import_config(ini).toml)
    notify = load_settings(out).notify
    assert (notify.smtp_server, notify.smtp_port, notify.smtp_tls) == (server, port, "none")
    assert notify.mail_maintainers  # DLRN mailed the maintainers
