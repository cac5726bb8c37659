"""Execute one notebook through a real Jupyter kernel (the Deno kernel by default).

Used by `deno task course` (write the executed notebook back in place) and by the notebook
test (write it elsewhere, optionally run every cell a second time in the same kernel).

    python3 tools/run_notebook.py NOTEBOOK [--out PATH] [--rerun-out PATH] [--timeout SECONDS]

Progress goes to stdout, one line per code cell. On the first failing cell it prints the
notebook, the cell number and the error, writes what has run so far to --out, and exits 1.
Exit status 2 means the environment is missing something (Jupyter, the kernel spec).

No output is lost. The Deno kernel (2.9) queues a cell's outputs and sends them from a separate
loop, but reports the cell finished (`status: idle`) without waiting for that loop, so outputs
can arrive after the idle; nbclient stops collecting a cell's outputs at its idle and drops the
rest (or files them under the next cell). So after every code cell this runner sends a marker
through the same queue, an update of a display id nobody has (it shows nothing), and keeps
collecting the cell's outputs until the marker comes back: the queue is first in, first out, so
everything the cell sent is in by then. `--no-sync` turns this off (to see the loss).
"""

import argparse
import asyncio
import re
import sys
import time
import uuid
from pathlib import Path
from queue import Empty

try:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from nbclient.util import ensure_async
    from jupyter_client.kernelspec import NoSuchKernel
except ImportError as missing:  # pragma: no cover - depends on the machine
    print(
        f"Jupyter's notebook runner is not installed ({missing.name} is missing): "
        "install it with `pip install jupyterlab` (or on Debian/Ubuntu "
        "`sudo apt install jupyter-nbconvert python3-nbclient`).",
        file=sys.stderr,
    )
    sys.exit(2)

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

# The messages that become (or change) a cell's outputs.
OUTPUT_MESSAGES = {"stream", "display_data", "execute_result", "error", "clear_output",
                   "update_display_data"}

# Seconds to wait for the marker that closes a cell's outputs.
SYNC_TIMEOUT = 120


def first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:70]
    return ""


class CourseClient(NotebookClient):
    """A NotebookClient that reports each code cell as it finishes."""

    def __init__(self, nb, label: str, sync: bool = True, **kw):
        super().__init__(nb, **kw)
        self.label = label
        self.sync = sync
        self.late_outputs = 0
        self.code_total = sum(1 for c in nb.cells if c.cell_type == "code")
        self.code_seen = 0
        self.pass_name = ""

    async def run_all_cells(self, pass_name: str) -> None:
        self.pass_name = pass_name
        self.code_seen = 0
        for index, cell in enumerate(self.nb.cells):
            if cell.cell_type != "code":
                continue
            self.code_seen += 1
            # nbclient clears a re-run cell's outputs but not its display-id map, so an
            # update of a live display would index outputs that are gone (IndexError).
            self.clear_display_id_mapping(index)
            started = time.perf_counter()
            synced = self.sync and cell.source.strip() != ""
            try:
                await self.async_execute_cell(cell, index)
            except CellExecutionError as err:
                if synced:
                    try:  # the error's own outputs may be late too; but report the error itself
                        await self.collect_late_outputs(cell, index)
                    except CellFailure:
                        pass
                raise CellFailure(index, cell, str(err)) from None
            except CellTimeoutError:
                raise CellFailure(index, cell, f"the cell ran longer than {self.timeout} s") from None
            except DeadKernelError:
                raise CellFailure(index, cell, "the kernel died while running this cell") from None
            if synced:
                await self.collect_late_outputs(cell, index)
            took = time.perf_counter() - started
            print(
                f"[{self.label}{pass_name}] cell {index + 1}/{len(self.nb.cells)} "
                f"(code {self.code_seen}/{self.code_total}) {took:6.1f} s  {first_line(cell.source)}",
                flush=True,
            )

    async def collect_late_outputs(self, cell, index: int) -> None:
        """Collect the outputs of `cell` that came after its idle (see the module doc)."""
        token = f"course-sync-{uuid.uuid4()}"
        marker = self.kc.execute(
            'Deno.jupyter.broadcast("update_display_data", '
            f'{{ data: {{}}, metadata: {{}}, transient: {{ display_id: "{token}" }} }});',
            silent=True,
            store_history=False,
        )
        deadline = time.monotonic() + SYNC_TIMEOUT
        while True:
            msg = await self.next_message(self.kc.iopub_channel, deadline, cell, index)
            kind = msg["msg_type"]
            if kind == "update_display_data" and \
                    msg["content"].get("transient", {}).get("display_id") == token:
                break
            if kind in OUTPUT_MESSAGES:  # late, whichever parent header it carries
                self.late_outputs += 1
                self.process_message(msg, cell, index)
        while True:  # the marker's reply, so it does not answer the next cell
            reply = await self.next_message(self.kc.shell_channel, deadline, cell, index)
            if reply["parent_header"].get("msg_id") == marker:
                break

    async def next_message(self, channel, deadline: float, cell, index: int):
        """The next message on `channel`, checking every second that the kernel still lives."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CellFailure(index, cell, "the kernel never confirmed this cell's outputs")
            try:
                return await ensure_async(channel.get_msg(timeout=min(1.0, left)))
            except Empty:
                if not await ensure_async(self.km.is_alive()):
                    raise CellFailure(index, cell, "the kernel died while running this cell") from None


class CellFailure(Exception):
    def __init__(self, index: int, cell, message: str):
        super().__init__(message)
        self.index = index
        self.cell = cell


def error_text(cell, fallback: str) -> str:
    """The error output of a cell as plain text (ename: evalue and traceback)."""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            trace = "\n".join(out.get("traceback", []))
            return ANSI.sub("", trace) or f"{out.get('ename')}: {out.get('evalue')}"
    return ANSI.sub("", fallback)


async def execute(
    path: Path, out: Path, rerun_out: Path | None, timeout: int, kernel: str, sync: bool
) -> int:
    nb = nbformat.read(path, as_version=4)
    label = path.stem
    client = CourseClient(
        nb,
        label,
        sync=sync,
        timeout=timeout,
        kernel_name=kernel,
        resources={"metadata": {"path": str(path.parent.resolve())}},
        record_timing=False,
    )
    started = time.perf_counter()
    try:
        async with client.async_setup_kernel():
            await client.run_all_cells("")
            nbformat.write(nb, out)
            if rerun_out is not None:
                await client.run_all_cells(" rerun")
                nbformat.write(nb, rerun_out)
    except NoSuchKernel:
        print(
            f"The Jupyter kernel '{kernel}' is not installed: run `deno task setup` first.",
            file=sys.stderr,
        )
        return 2
    except CellFailure as failure:
        nbformat.write(nb, out)
        where = ", on the second run in the same kernel" if client.pass_name else ""
        print(
            f"\nError in {path}, cell {failure.index + 1} of {len(nb.cells)} "
            f"(code cell {client.code_seen} of {client.code_total}){where}:\n"
            f"  {first_line(failure.cell.source)}\n\n{error_text(failure.cell, str(failure))}",
            file=sys.stderr,
        )
        return 1
    late = f"; {client.late_outputs} outputs came after their cell's idle" if client.late_outputs else ""
    print(f"[{label}] done in {time.perf_counter() - started:.1f} s{late} -> {out}", flush=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--out", type=Path, help="where to write the executed notebook (default: in place)")
    parser.add_argument("--rerun-out", type=Path, help="run all cells again in the same kernel; write that here")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds one cell may run")
    parser.add_argument("--kernel", default="deno")
    parser.add_argument("--no-sync", action="store_true",
                        help="do not wait for outputs sent after a cell's idle (they may be lost)")
    args = parser.parse_args()
    if not args.notebook.is_file():
        print(f"No notebook at {args.notebook}.", file=sys.stderr)
        return 2
    out = args.out or args.notebook
    return asyncio.run(
        execute(args.notebook, out, args.rerun_out, args.timeout, args.kernel, not args.no_sync)
    )


if __name__ == "__main__":
    sys.exit(main())
