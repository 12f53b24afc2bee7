"""Build drivers, registered by short name and imported lazily.

``[build] driver = "mock"`` names a driver (``"auto"``, the default, is mock when
``[build.mock] config`` is set, else rpmbuild); its module is imported only when
chosen, so an optional driver's dependencies stay optional. Each driver gets
only its own config section. An unknown name is a ConfigError listing the
valid ones (DLRN accepted any dotted class path and failed late).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from trunkline.builder.drivers.base import BuildDriver, BuildRequest, BuildResult
from trunkline.config import BuildSettings
from trunkline.errors import ConfigError

__all__ = ["DRIVERS", "BuildDriver", "BuildRequest", "BuildResult", "make_driver"]


def _rpmbuild(settings: BuildSettings) -> BuildDriver:
    module = importlib.import_module("trunkline.builder.drivers.rpmbuild")
    driver: BuildDriver = module.RpmbuildDriver(settings.rpmbuild)
    return driver


def _mock(settings: BuildSettings) -> BuildDriver:
    module = importlib.import_module("trunkline.builder.drivers.mock")
    driver: BuildDriver = module.MockDriver(settings.mock)
    return driver


DRIVERS: dict[str, Callable[[BuildSettings], BuildDriver]] = {
    "mock": _mock,
    "rpmbuild": _rpmbuild,
}
"""Short name -> factory taking the ``[build]`` section."""


def make_driver(settings: BuildSettings) -> BuildDriver:
    """The build driver ``settings.driver`` names, configured from its own section.

    Args:
        settings: the ``[build]`` section of the config.

    Returns:
        A ready driver.

    Raises:
        ConfigError: the name is unknown (the message lists the valid ones) or the
            driver's section lacks something it needs (``[build.mock] config``).
    """
    name = settings.driver
    if name == "auto":
        name = "mock" if settings.mock.config else "rpmbuild"
    factory = DRIVERS.get(name)
    if factory is None:
        valid = ", ".join(["auto", *sorted(DRIVERS)])
        raise ConfigError(
            f"[build] driver = {settings.driver!r}: unknown build driver; expected one of: {valid}"
        )
    return factory(settings)
