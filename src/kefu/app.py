"""The application factory: everything stateful is built here, from the settings passed in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from redis.asyncio import Redis
from sqlalchemy import text
from starlette.middleware.sessions import SessionMiddleware

from kefu import __version__
from kefu.accounts.api import router as accounts_router
from kefu.accounts.login import LoginGuard
from kefu.analytics.api import router as analytics_router
from kefu.analytics.report_api import router as report_router
from kefu.analytics.report_worker import ReportWorker, start_report_worker
from kefu.attachments.api import MULTIPART_OVERHEAD, UPLOAD_PATHS, files_router
from kefu.attachments.api import router as attachments_router
from kefu.attachments.service import Uploads
from kefu.attachments.storage import LocalFileStore
from kefu.bot.api import router as bot_router
from kefu.bot.engine import BotEngine
from kefu.bot.queries import bot_takes
from kefu.bot.worker import BotWorker, start_bot_worker
from kefu.channels.email.channel import start_email_channel
from kefu.channels.leave import LeaveLimit
from kefu.channels.presence import AgentPresence, MemoryPresence, PresenceBoard, RedisPresence
from kefu.channels.queue_watch import QueueWatch
from kefu.channels.visitor import VisitorTokens
from kefu.channels.webchat_api import router as webchat_router
from kefu.channels.webhook.api import router as webhook_router
from kefu.channels.webhook.delivery import start_webhook_sender
from kefu.channels.writer import MessageWriter
from kefu.channels.ws import router as ws_router
from kefu.commerce.api import router as commerce_router
from kefu.conversations.api import router as conversations_router
from kefu.conversations.api import subtasks_router
from kefu.customers.api import router as customers_router
from kefu.http.errors import install_error_handlers
from kefu.http.limits import BodySizeLimit
from kefu.knowledge.api import router as knowledge_router
from kefu.knowledge.kb_api import router as kb_router
from kefu.routing.admin_api import router as routing_admin_router
from kefu.routing.api import router as routing_router
from kefu.routing.worker import RoutingWorker
from kefu.settings import Settings
from kefu.shared.db import Database
from kefu.shared.events import EventBus, MemoryEventBus, RedisEventBus
from kefu.shared.ratelimit import FailureCounter, MemoryFailureCounter, RedisFailureCounter
from kefu.sla.api import router as sla_router
from kefu.web.pages import router as web_router
from kefu.web.paths import STATIC_DIR
from kefu.web.routing import not_found_page
from kefu.workforce.api import router as workforce_router

SESSION_COOKIE = "kefu_session"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    bus: EventBus = RedisEventBus(redis) if redis is not None else MemoryEventBus()
    db = Database(settings.database_url, bus=bus)
    writer = MessageWriter(db)
    presence: AgentPresence = RedisPresence(redis) if redis is not None else MemoryPresence()
    board = PresenceBoard(presence)
    queue_watch = QueueWatch(db)
    bot_engine = BotEngine(settings.model_dir)
    counter: FailureCounter = (
        RedisFailureCounter(redis, settings.login_window_seconds)
        if redis is not None
        else MemoryFailureCounter(settings.login_window_seconds)
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await bus.start()
        email_channel = await start_email_channel(settings, db)
        webhook_sender = await start_webhook_sender(settings, db)
        bot_worker: BotWorker | None = None
        if settings.bot_worker:
            bot_worker = await start_bot_worker(db, bus.hub, bot_engine, presence)
        router: RoutingWorker | None = None
        if settings.router_worker:
            router = RoutingWorker(
                db, bus.hub, bot_takes=bot_takes, sweep_seconds=settings.router_sweep_seconds
            )
            await router.start()
        _app.state.router = router
        reports: ReportWorker | None = await start_report_worker(settings, db)
        try:
            yield
        finally:
            if reports is not None:
                await reports.stop()
            if router is not None:
                await router.stop()
            if bot_worker is not None:
                await bot_worker.stop()
            if webhook_sender is not None:
                await webhook_sender.stop()
            await email_channel.stop()
            await board.stop()
            await queue_watch.stop()
            await writer.stop()
            await bus.stop()
            if redis is not None:
                await redis.aclose()
            await db.dispose()

    app = FastAPI(
        title="Kefu API",
        version=__version__,
        description="Customer service for e-commerce: conversations, customers and orders.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.redis = redis
    app.state.bus = bus
    app.state.message_writer = writer
    app.state.visitor_tokens = VisitorTokens(settings.secret_key.get_secret_value())
    app.state.agent_presence = presence
    app.state.presence_board = board
    app.state.queue_watch = queue_watch
    app.state.bot_engine = bot_engine
    leave_window = 600
    app.state.leave_limit = LeaveLimit(
        counter=RedisFailureCounter(redis, leave_window, prefix="kefu:leave:")
        if redis is not None
        else MemoryFailureCounter(leave_window),
        window_seconds=leave_window,
    )
    app.state.uploads = Uploads(
        store=LocalFileStore(settings.upload_dir),
        max_bytes=settings.upload_max_bytes,
        counter=(
            RedisFailureCounter(redis, 3600, prefix="kefu:upload:")
            if redis is not None
            else MemoryFailureCounter(3600)
        ),
        visitor_per_hour=settings.upload_visitor_per_hour,
    )
    app.state.login_guard = LoginGuard(
        counter=counter,
        max_failures=settings.login_max_failures,
        window_seconds=settings.login_window_seconds,
    )
    install_error_handlers(app, page=not_found_page)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key.get_secret_value(),
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    upload_limit = settings.upload_max_bytes + MULTIPART_OVERHEAD
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_request_bytes,
        larger=[(path, upload_limit) for path in UPLOAD_PATHS],
    )

    @app.get("/healthz", tags=["ops"], include_in_schema=True)
    async def healthz() -> JSONResponse:
        async with db.session() as session:
            await session.execute(text("SELECT 1"))
        return JSONResponse({"status": "ok", "version": __version__})

    for router in (
        accounts_router,
        customers_router,
        commerce_router,
        conversations_router,
        subtasks_router,
        routing_router,
        routing_admin_router,
        attachments_router,
        files_router,
        knowledge_router,
        kb_router,
        bot_router,
        sla_router,
        analytics_router,
        workforce_router,
        report_router,
        webchat_router,
        webhook_router,
        ws_router,
        web_router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")
    return app
