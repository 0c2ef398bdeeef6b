"""One process of the suite: `python -m services.serve <service>`, what `tuoyu up` starts for each
service and what a container runs (`tuoyu serve` hands its process over to it).

Before anything else is imported, optional extras that libraries load when they find them
installed, and that no service uses, are kept out: structlog's rich tracebacks and httpx's command
line (rich, pygments and click, which the `tuoyu` command brings) cost each service process some
6 MB, a twentieth of the suite's memory at rest (bench/README.md). Both libraries do without them.
"""

from __future__ import annotations

import argparse
import gc
import sys

OPTIONAL_EXTRAS_KEPT_OUT = ("rich", "httpx._main")


def keep_out_optional_extras() -> None:
    for name in OPTIONAL_EXTRAS_KEPT_OUT:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # an import of it now fails, as if not installed


def main(argv: list[str] | None = None) -> None:
    keep_out_optional_extras()
    import uvicorn
    from uvicorn.importer import import_from_string

    from services.catalogue import BY_NAME
    from services.http_protocol import HttpProtocol
    from shared.settings import SERVER_KEEP_ALIVE_S

    parser = argparse.ArgumentParser(prog="python -m services.serve", description=__doc__.splitlines()[0])
    parser.add_argument("service", choices=list(BY_NAME))
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    parser.add_argument("--shutdown-grace", type=float, default=10.0, help="seconds in-flight requests get on SIGTERM")
    args = parser.parse_args(argv)
    app = import_from_string(BY_NAME[args.service].app_factory)()
    # What is built by now (modules, routes, schemas, table metadata) lives as long as the process:
    # out of the collector's sight, a full collection no longer walks it again and again.
    gc.freeze()
    uvicorn.run(
        app,
        http=HttpProtocol,
        host=args.host,
        port=args.port,
        proxy_headers=False,
        access_log=False,
        timeout_graceful_shutdown=args.shutdown_grace,
        timeout_keep_alive=SERVER_KEEP_ALIVE_S,
    )


if __name__ == "__main__":
    main()
