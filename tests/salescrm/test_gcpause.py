import gc

import pytest

from salescrm.lib.gcpause import gc_paused


def test_the_collector_is_off_inside_and_back_on_after_even_on_an_error():
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), gc_paused():
        assert not gc.isenabled()
        with gc_paused():  # nested: still off, and the outer one turns it back on
            assert not gc.isenabled()
        assert not gc.isenabled()
        1 / 0  # noqa: B018
    assert gc.isenabled()


def test_as_a_decorator_and_left_off_when_it_was_off():
    @gc_paused()
    def job() -> bool:
        return gc.isenabled()

    assert job() is False and gc.isenabled()
    gc.disable()
    try:
        assert job() is False and not gc.isenabled()
    finally:
        gc.enable()
