"""The GIL is released while the library computes: another Python thread runs meanwhile.

With a switch interval far longer than the test, a thread holding the GIL keeps it until it
blocks or releases it. The worker releases it only inside the compiled call, so the main thread
can run only while the call is still computing (or waiting to take the GIL back, which the main
thread never gives up while it counts): it must count to the end and still find no result.
Without the release, the main thread runs only after the worker has finished, and finds it.
"""

import sys
import threading

import pytest

import scalecast
from scalecast import _core
from conftest import SCENARIOS, PLAYGROUND

SC = scalecast.load(PLAYGROUND)
# Calls of a few tenths of a second, so the main thread surely wakes during them: a long grid
# for the deterministic forecast.
LONG = SC.copy()
LONG["time.step"] = 2e-4
# The compiled calls themselves: the DataFrames built after them may release the GIL in numpy.
CALLS = {
    "run": lambda: _core.run(LONG),
    "mc": lambda: _core.mc(SC, 200_000, 1),
    "sweep": lambda: _core.sweep(SC, [("pretraining.params", "log:1e11:1e14:2000")]),
}


@pytest.mark.parametrize("name", CALLS)
def test_another_thread_runs_during_the_call(name):
    result = []
    started = threading.Event()

    def work():
        started.set()
        result.append(CALLS[name]())

    old = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    try:
        t = threading.Thread(target=work)
        t.start()
        started.wait()
        count = 0
        for _ in range(100_000):
            count += 1
        finished_before = bool(result)
        t.join()
    finally:
        sys.setswitchinterval(old)
    assert count == 100_000 and result
    assert not finished_before, f"{name} kept the GIL"
