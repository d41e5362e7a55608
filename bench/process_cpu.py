"""CPU time of one command's own work, apart from whatever else the machine runs.

Whole-machine figures (/proc/stat) count every other job on a shared machine.
This counts three things instead:

- the command's process tree: what ``/usr/bin/time`` reports (the command and the
  children it waited for), plus the daemons it started and left to others
  (``pg_ctl`` leaves ``postgres`` to init), which this process adopts as a child
  subreaper and reaps as soon as they exit (as init would: a test waiting for a
  server's pid to go away must not find a zombie), so their time counts too;
- the Docker engine: ``dockerd`` and ``containerd`` themselves;
- the containers: cgroup CPU time of each container whose name carries the
  command's process id (the tests name what they create after their pid), read
  by a sampler while the run lasts. The few milliseconds after the last sample
  of a container are lost, so this is a slight undercount. The largest kinds
  of container (names with their numbers, decimal or hex, as N: the shared
  test server, the containers of the Docker tests) are listed with their share.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import resource
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36
DOCKER_CGROUPS = Path("/sys/fs/cgroup/cpuacct/docker")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class TreeCpu:
    wall: float
    returncode: int
    waited: float  # the command and the children it waited for (/usr/bin/time's figure)
    adopted: float  # daemons it left behind, reaped here
    engine: float  # dockerd and containerd
    containers: float  # containers named after the command's pid
    foreign_containers: float  # containers of other runs meanwhile (not counted)
    machine: float  # whole machine, for comparison
    # This run's containers by kind (numbers in names as N), largest first: (kind, count, seconds)
    container_kinds: tuple[tuple[str, int, float], ...] = ()

    @property
    def total(self) -> float:
        return self.waited + self.adopted + self.engine + self.containers

    def lines(self) -> list[str]:
        return [
            f"process tree  {self.waited:7.1f} s (pytest and the children it waited for)",
            f"adopted       {self.adopted:7.1f} s (daemons the tree left behind: postgres)",
            f"docker engine {self.engine:7.1f} s (dockerd, containerd)",
            f"containers    {self.containers:7.1f} s (this run's containers, cgroup CPU)",
            f"total         {self.total:7.1f} s CPU in {self.wall:.1f} s wall",
            f"(whole machine meanwhile {self.machine:.1f} s; other runs' containers "
            f"{self.foreign_containers:.1f} s)",
            *(
                f"  {seconds:7.1f} s in {count:3d} x {kind}"
                for kind, count, seconds in self.container_kinds[:5]
            ),
        ]


def machine_cpu_seconds() -> float:
    """Busy CPU time of the machine since boot: user, nice, system, irq and softirq."""
    fields = Path("/proc/stat").read_text(encoding="ascii").splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in fields[:7])
    return (user + nice + system + irq + softirq) / CLOCK_TICKS


def become_subreaper() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def reap_orphans_but(*kept: int) -> None:
    """Reap every exited child except ``kept`` (whose owners wait for them)."""
    while True:
        try:
            exited = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return
        if exited is None or exited.si_pid in kept:
            return
        try:
            os.waitpid(exited.si_pid, 0)
        except ChildProcessError:
            continue  # a SIGCHLD that came meanwhile ran this handler again and reaped it


def reap_adopted(grace: float = 30.0) -> None:
    """Wait for the orphans this subreaper adopted; give up after ``grace`` seconds."""
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.1)
    left = [
        entry.name + " " + (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()[:80]
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit() and _parent(entry) == os.getpid()
    ]
    if left:
        print("still running after the run (not counted):", *left, sep="\n  ")


def _parent(proc: Path) -> int:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def engine_cpu_seconds() -> float:
    """dockerd and containerd: their own time and that of the children they reaped."""
    total = 0.0
    for name in ("dockerd", "containerd"):
        found = subprocess.run(["pgrep", "-x", name], capture_output=True, text=True, check=False)
        for pid in found.stdout.split():
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += sum(int(v) for v in fields[11:15]) / CLOCK_TICKS
    return total


class ContainerSampler:
    """Keeps the largest cgroup CPU time seen for each container, and its name."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.usage: dict[str, float] = {}
        self.names: dict[str, str] = {}
        self.own_cpu = 0.0  # of the `docker events` client, not of the measured command
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._events: subprocess.Popen[str] | None = None
        self._event_thread = threading.Thread(target=self._read_events, daemon=True)

    def __enter__(self) -> ContainerSampler:
        with contextlib.suppress(OSError):
            self._events = subprocess.Popen(
                ["docker", "events", "--filter", "type=container", "--format", "{{json .}}"],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            self._event_thread.start()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        if self._events is not None:
            time.sleep(0.5)  # let the last events arrive
            self._events.terminate()
            _pid, _status, usage = os.wait4(self._events.pid, 0)
            self._events.returncode = 0
            self.own_cpu = usage.ru_utime + usage.ru_stime
            self._event_thread.join(timeout=5)
            if self._events.stdout is not None:
                self._events.stdout.close()

    @property
    def events_pid(self) -> int:
        return self._events.pid if self._events is not None else -1

    def _read_events(self) -> None:
        assert self._events is not None and self._events.stdout is not None
        for line in self._events.stdout:
            with contextlib.suppress(ValueError, KeyError):
                event = json.loads(line)
                name = event["Actor"]["Attributes"]["name"]
                self.names[event["id"]] = name

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)
        self.sample()

    def sample(self) -> None:
        with contextlib.suppress(OSError):
            for entry in DOCKER_CGROUPS.iterdir():
                if entry.is_dir():
                    with contextlib.suppress(OSError, ValueError):
                        ns = int((entry / "cpuacct.usage").read_text())
                        self.usage[entry.name] = max(self.usage.get(entry.name, 0.0), ns / 1e9)

    def split(self, tag: str) -> tuple[float, float]:
        """CPU seconds of the containers named with ``tag``, and of all others."""
        ours = sum(used for _name, used in self._tagged(tag))
        return ours, sum(self.usage.values()) - ours

    def _tagged(self, tag: str) -> list[tuple[str, float]]:
        """Name and CPU seconds of each container whose name carries ``tag``."""
        named = ((self.names.get(cid, ""), used) for cid, used in self.usage.items())
        return [(name, used) for name, used in named if tag in name]

    def kinds(self, tag: str) -> tuple[tuple[str, int, float], ...]:
        """The containers named with ``tag`` by kind: their names with each number as N."""
        seconds: dict[str, float] = {}
        counts: dict[str, int] = {}
        for name, used in self._tagged(tag):
            kind = re.sub(r"[0-9a-f]*[0-9][0-9a-f]*", "N", name)
            seconds[kind] = seconds.get(kind, 0.0) + used
            counts[kind] = counts.get(kind, 0) + 1
        ranked = sorted(seconds, key=seconds.__getitem__, reverse=True)
        return tuple((kind, counts[kind], seconds[kind]) for kind in ranked)


def measure(command: list[str], *, env: dict[str, str], cwd: Path) -> TreeCpu:
    """Run ``command`` and count the CPU time of everything it made the machine do."""
    become_subreaper()
    reap_adopted(grace=0)
    before_engine = engine_cpu_seconds()
    before_children = children_cpu()
    before_machine = machine_cpu_seconds()
    started = time.perf_counter()
    with ContainerSampler() as sampler:
        process = subprocess.Popen(command, env=env, cwd=cwd)
        kept = (process.pid, sampler.events_pid)
        previous = signal.signal(signal.SIGCHLD, lambda *_: reap_orphans_but(*kept))
        try:
            _pid, status, usage = os.wait4(process.pid, 0)
        finally:
            signal.signal(signal.SIGCHLD, previous)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
    reap_adopted()
    waited = usage.ru_utime + usage.ru_stime
    adopted = children_cpu() - before_children - waited - sampler.own_cpu
    ours, foreign = sampler.split(str(process.pid))
    return TreeCpu(
        wall=wall,
        returncode=process.returncode,
        waited=waited,
        adopted=max(adopted, 0.0),
        engine=engine_cpu_seconds() - before_engine,
        containers=ours,
        foreign_containers=foreign,
        machine=machine_cpu_seconds() - before_machine,
        container_kinds=sampler.kinds(str(process.pid)),
    )
