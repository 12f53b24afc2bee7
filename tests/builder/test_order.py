"""Dependency order: BuildRequires between queued packages become scheduler edges."""

from __future__ import annotations

from trunkline.builder.order import dependency_queue, plan_dependencies, requirement_name
from trunkline.rpmspec.adapter import SpecInfo


def info(name: str, *, sub: tuple[str, ...] = (), br: tuple[str, ...] = ()) -> SpecInfo:
    return SpecInfo(
        name=name,
        version="1",
        release="1",
        epoch=None,
        subpackages=sub,
        buildrequires=br,
        requires=(),
        sources=(),
    )


def test_a_package_waits_for_what_it_buildrequires_through_subpackage_names() -> None:
    plan = plan_dependencies(
        {
            "python-foolib": info("python-foolib", sub=("python3-foolib",)),
            "python-barclient": info(
                "python-barclient",
                sub=("python3-barclient",),
                br=("python3-devel", "python3-foolib >= 1.2"),
            ),
            "openstack-demo": info("openstack-demo", br=("python3-barclient", "python3-pbr")),
        }
    )
    assert plan.deps == {
        "python-barclient": frozenset({"python-foolib"}),
        "openstack-demo": frozenset({"python-barclient"}),
    }
    assert plan.cycles == ()


def test_cycles_are_reported_and_broken_not_hung() -> None:
    plan = plan_dependencies(
        {
            "a": info("a", br=("b",)),
            "b": info("b", br=("c",)),
            "c": info("c", br=("a",)),
            "d": info("d", br=("a", "d")),  # a self-requirement is not an edge
        }
    )
    assert plan.cycles == (("a", "b", "c"),)
    assert plan.deps == {"d": frozenset({"a"})}


def test_requirement_names() -> None:
    assert requirement_name("python3-foo >= 1.2") == "python3-foo"
    assert requirement_name("  gcc") == "gcc"
    assert requirement_name("(a or b)") == ""


def test_the_queue_keeps_commit_order_except_where_a_dependency_forces_it() -> None:
    queue = ["a1", "b1", "a2", "c1", "b2"]  # oldest first; the letter is the package
    assert dependency_queue(queue, lambda i: i[0], {}) == queue
    # a BuildRequires b: every b build goes before the first a build; otherwise oldest first
    assert dependency_queue(queue, lambda i: i[0], {"a": frozenset({"b"})}) == [
        "b1",
        "c1",
        "b2",
        "a1",
        "a2",
    ]
    # a dependency on a package that is not queued is no constraint
    assert dependency_queue(queue, lambda i: i[0], {"c": frozenset({"z"})}) == queue


def test_an_unbroken_cycle_keeps_the_rest_in_commit_order() -> None:
    queue = ["a1", "b1", "c1"]
    deps = {"a": frozenset({"b"}), "b": frozenset({"a"})}
    assert dependency_queue(queue, lambda i: i[0], deps) == ["c1", "a1", "b1"]
