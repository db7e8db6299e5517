"""The guard every change to moto's private code goes through.

moto is pinned (requirements-dev.txt). The emulator fixes
(scripts/devstack/emulator_fixes.py), the inbox's copy of each sent email's
parts (scripts/devstack/inbox.py), the tests' in-process dispatch
(tests/in_process.py) and the rehearsal's Swagger import
(tests/emulator_swagger.py) rely on moto's private modules, so each names the
moto series it was written for and the moto bug it works around. On another
moto, or when what it changes is no longer there, it stops `make dev` and the
tests with `EmulatorPatchOutdated`, saying what to check; none is skipped.
docs/local-stack.md ("Emulator patches") lists them with their moto bugs.
"""
import contextlib

from scripts.devstack.errors import Failure

MOTO_SERIES = "5.2"  # requirements-dev.txt pins moto 5.2.5
DOCS = 'docs/local-stack.md, "Emulator patches"'


class EmulatorPatchOutdated(Failure):
    """A moto patch meets a moto it was not written for."""


def installed_moto():
    import moto

    return moto.__version__


def series(version):
    """'5.2' for '5.2.5', '5.2.6.dev3' or '5.2'."""
    return ".".join(version.split(".")[:2])


class MotoPatch:
    """One change to moto: its name, the moto bug it works around (a phrase
    that reads after "check whether"), and the moto series it was written for."""

    def __init__(self, name, bug, written_for=MOTO_SERIES):
        self.name = name
        self.bug = bug
        self.written_for = written_for

    def problem(self):
        """What is wrong with this patch on the installed moto, or None."""
        version = installed_moto()
        if series(version) == self.written_for:
            return None
        return ("emulator patch %s was written for moto %s.x; moto is %s — check whether %s is fixed, "
                "then update or drop the patch" % (self.name, self.written_for, version, self.bug))

    def check(self):
        """Stops with EmulatorPatchOutdated unless moto is the series this was written for."""
        problem = self.problem()
        if problem:
            raise EmulatorPatchOutdated("%s (%s)." % (problem, DOCS))

    @contextlib.contextmanager
    def applying(self):
        """Checks the version, then runs the block that applies the patch: a
        moto module or attribute it needs that is gone stops it too."""
        self.check()
        try:
            yield
        except (ImportError, AttributeError) as error:
            raise EmulatorPatchOutdated(
                "emulator patch %s no longer fits moto %s (%s) — check whether %s is fixed, then update or "
                "drop the patch (%s)." % (self.name, installed_moto(), error, self.bug, DOCS)) from error


def check_all(patches):
    """One EmulatorPatchOutdated naming every patch that does not fit moto."""
    problems = [problem for problem in (patch.problem() for patch in patches) if problem]
    if problems:
        raise EmulatorPatchOutdated("\n  ".join(problems) + "\n  (%s)." % DOCS)
