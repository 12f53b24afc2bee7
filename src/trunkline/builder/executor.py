"""Where a prepared build job runs: in this process, or on a remote worker.

The seam between the builder and its build hosts. ``Workspace.build`` prepares
the inputs (distgit tree, tarball, version, release) on the builder, then hands
the :class:`~trunkline.builder.pipeline.BuildJob` to an executor, which returns
a :class:`~trunkline.builder.pipeline.PipelineResult` whose paths are files on
the builder. :class:`LocalExecutor` (the default) runs the pipeline here with
this host's driver; ``workers/remote.py``'s ``RemoteExecutor`` sends the job
through the broker to a ``trunkline worker`` and takes its RPMs back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from trunkline.builder.drivers.base import BuildDriver
from trunkline.builder.pipeline import BuildJob, PipelineResult, build_commit
from trunkline.rpmspec.service import LocalSpecs, SpecService


class JobExecutor(Protocol):
    """Runs one build job; never raises for the package's own failure (FAILED/RETRY)."""

    def run(self, job: BuildJob) -> PipelineResult:
        """Build ``job``; the result's files are on this host (under ``job.workdir``)."""
        ...


@dataclass(frozen=True)
class LocalExecutor:
    """Builds on this host with ``driver`` (the default: no broker needed).

    ``specs`` reads and rewrites the spec (the builder's spec helper, or in this process).
    """

    driver: BuildDriver
    specs: SpecService = field(default_factory=LocalSpecs)

    def run(self, job: BuildJob) -> PipelineResult:
        """``pipeline.build_commit`` with this host's driver."""
        return build_commit(job, self.driver, self.specs)
