"""``tensora serve``'s pages: FastAPI routes over the ``Workbench``, rendered with Jinja2.

The flow needs no JavaScript: the upload form posts, the server answers with a redirect to the job's progress
page (which refreshes itself in a ``<noscript>`` meta tag), and the finished job redirects to the session page.
``static/app.js`` only polls the job's JSON for a smoother progress bar. The session page is the whiteboard
(the skeptic's last turn, the findings grouped as open, new and resolved, an answer form) beside the HTML report
(``tensora.render.html``) in a same-origin frame. Every error, ours or the framework's, is an HTML page with one
clear sentence; no traceback reaches the browser.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

import tensora
from tensora.errors import InputError, TensoraError
from tensora.ingest import Limits
from tensora.web.jobs import NotFound, Workbench
from tensora.web.security import Guard, GuardConfig, Refused, check_csrf, csrf_token
from tensora.web.text import markdown_lite
from tensora.web.uploads import save_upload
from tensora.whiteboard import transcript

log = logging.getLogger("tensora.web")
HERE = Path(__file__).parent
_STATUS_GROUPS = (
    ("open", "Open", ("open", "still open")),
    ("new", "New", ("new",)),
    ("resolved", "Resolved", ("resolved",)),
)


def create_app(bench: Workbench, *, host: str = "127.0.0.1", port: int = 8765, token: str | None = None) -> Any:
    """The ASGI application: the FastAPI app wrapped in the ``Guard``."""
    app = FastAPI(title="tensora", docs_url=None, redoc_url=None, openapi_url=None)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["md"] = markdown_lite
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    limits = bench.limits

    def page(request: Request, name: str, code: int = 200, **context: Any) -> HTMLResponse:
        context.update(request=request, csrf=csrf_token(request), version=tensora.__version__, limits=limits)
        return templates.TemplateResponse(request, name, context, status_code=code)

    def error_page(request: Request, status: int, message: str) -> HTMLResponse:
        return page(request, "error.html", status, message=message, status=status)

    # errors ---------------------------------------------------------------------------------------------
    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> Response:
        return error_page(request, exc.status, exc.message)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return error_page(request, 404, str(exc))

    @app.exception_handler(TensoraError)
    async def user_error(request: Request, exc: TensoraError) -> Response:
        return error_page(request, 400, str(exc))

    @app.exception_handler(RequestValidationError)
    async def bad_form(request: Request, exc: RequestValidationError) -> Response:
        fields = sorted({str(e.get("loc", ["", "?"])[-1]) for e in exc.errors()})
        return error_page(request, 400, f"The form is incomplete: missing or invalid {', '.join(fields)}.")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        messages = {404: "There is no such page here.", 405: "This address does not accept that kind of request."}
        return error_page(request, exc.status_code, messages.get(exc.status_code, str(exc.detail)))

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("internal error on %s", request.url.path)
        return error_page(request, 500, "Something went wrong inside tensora; the server log has the details.")

    # pages ----------------------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse)
    def index(request: Request) -> HTMLResponse:
        return page(request, "index.html", sessions=bench.sessions())

    @app.post("/reviews")
    def start_review(
        request: Request,
        draft: Annotated[UploadFile, File()],
        baseline: Annotated[UploadFile, File()],
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        check_csrf(request, csrf)
        folder = bench.new_folder()
        try:
            mine = save_upload(draft.file, draft.filename, "draft", folder, limits)
            theirs = save_upload(baseline.file, baseline.filename, "baseline", folder, limits)
            bench.refuse_same(mine, theirs)
        except InputError as exc:
            _remove(folder)
            raise TensoraError(str(exc)) from None
        except BaseException:
            _remove(folder)
            raise
        job = bench.submit_review(folder, mine, theirs)
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)

    @app.get("/jobs/{job_id}", response_class=HTMLResponse)
    def job_page(request: Request, job_id: str) -> Response:
        job, ahead = bench.job(job_id)
        info = job.progress(ahead)
        if job.state == "done":
            return RedirectResponse(str(info["next"]), status_code=303)
        return page(request, "job.html", 422 if job.state == "failed" else 200, job=info)

    @app.get("/jobs/{job_id}/status")
    async def job_status(job_id: str) -> JSONResponse:  # a dict lookup: answered on the event loop
        job, ahead = bench.job(job_id)
        return JSONResponse(job.progress(ahead))

    @app.get("/sessions/{session_id}", response_class=HTMLResponse)
    def session_page(request: Request, session_id: str) -> HTMLResponse:
        record = bench.record(session_id)
        turns = bench.store().turns(record.id)
        skeptic = [t for t in turns if t.role == "skeptic"]
        rows = skeptic[-1].findings if skeptic else ()
        groups = [(key, title, [f for f in rows if f.status in statuses]) for key, title, statuses in _STATUS_GROUPS]
        proposal, baseline = bench.names(record)
        return page(
            request,
            "session.html",
            record=record,
            turns=turns,
            last=skeptic[-1].text if skeptic else "",
            groups=groups,
            open_codes=[f.code for f in rows if f.status != "resolved"],
            proposal=proposal,
            baseline=baseline,
            has_report=bench.report(record.id) is not None or bench.drawing(record.id),
            live=bench.live(record.id),
        )

    @app.get("/sessions/{session_id}/report", response_class=HTMLResponse)
    def report(request: Request, session_id: str) -> HTMLResponse:
        html = bench.report(session_id)
        if html is None and bench.drawing(session_id):
            return page(request, "drawing.html")
        if html is None:
            return error_page(request, 404, "This report is not built yet: reopen the session to re-audit it.")
        return HTMLResponse(html)

    @app.post("/sessions/{session_id}/answer")
    def answer(
        request: Request,
        session_id: str,
        text: Annotated[str, Form(max_length=20_000)] = "",
        about: Annotated[str, Form(max_length=64)] = "",
        csrf: Annotated[str, Form()] = "",
    ) -> Response:
        check_csrf(request, csrf)
        job = bench.submit_answer(session_id, text, about)
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)

    @app.post("/sessions/{session_id}/reopen")
    def reopen(request: Request, session_id: str, csrf: Annotated[str, Form()] = "") -> Response:
        check_csrf(request, csrf)
        job = bench.submit_reopen(session_id)
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)

    @app.post("/sessions/{session_id}/delete")
    def delete(request: Request, session_id: str, csrf: Annotated[str, Form()] = "") -> Response:
        check_csrf(request, csrf)
        bench.delete(session_id)
        return RedirectResponse("/", status_code=303)

    @app.get("/sessions/{session_id}/export.{fmt}")
    def export(session_id: str, fmt: str) -> Response:
        if fmt not in ("md", "json"):
            raise Refused(404, "Sessions export as .md (Markdown) or .json.")
        record = bench.record(session_id)
        turns = bench.store().turns(record.id)
        if fmt == "json":
            body, media = transcript.to_json(record, turns), "application/json"
        else:
            body, media = transcript.to_markdown(record, turns), "text/markdown; charset=utf-8"
        name = f"tensora-session-{record.id}.{fmt}"
        return Response(body, media_type=media, headers={"content-disposition": f'attachment; filename="{name}"'})

    @app.get("/healthz")
    def health() -> JSONResponse:
        return JSONResponse({"ok": True, "version": tensora.__version__})

    def refuse(refusal: Refused) -> Response:
        # the guard runs before routing: a plain page, without templates' request context
        body = templates.get_template("error.html").render(
            request=None,
            csrf="",
            version=tensora.__version__,
            limits=limits,
            message=refusal.message,
            status=refusal.status,
        )
        return HTMLResponse(body, status_code=refusal.status)

    max_body = 2 * limits.max_bytes + 256 * 1024
    return Guard(app, GuardConfig(host, port, token, max_body), refuse)


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def default_limits(max_mb: float, max_pages: int) -> Limits:
    return Limits.from_options(max_mb, max_pages)
