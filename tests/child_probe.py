"""A child stream that reports how its interpreter collects garbage (tests/test_child_stream)."""

import gc

from informz_console.connectors.child_stream import serve

if __name__ == "__main__":
    serve(lambda payload: [gc.get_threshold()])
