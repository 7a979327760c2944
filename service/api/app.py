"""FastAPI app factory."""

from __future__ import annotations

from fastapi import FastAPI

from service.api import (
    routes_alerts,
    routes_audit,
    routes_batches,
    routes_health,
    routes_keys,
    routes_lists,
    routes_ownership,
    routes_screen,
    routes_screenings,
    routes_settings,
    routes_shipments,
)
from service.api.errors import install_error_handlers
from service.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the API for the given settings (tests pass their own)."""
    app = FastAPI(
        title="Sanctions & export-control screening",
        version="0.1.0",
        description="Screens parties and shipments against versioned official sanctions lists.",
    )
    app.state.settings = settings or get_settings()
    install_error_handlers(app)
    app.include_router(routes_health.router)
    app.include_router(routes_lists.router)
    app.include_router(routes_screen.router)
    app.include_router(routes_screenings.router)
    app.include_router(routes_batches.router)
    app.include_router(routes_shipments.router)
    app.include_router(routes_ownership.router)
    app.include_router(routes_settings.router)
    app.include_router(routes_audit.router)
    app.include_router(routes_keys.router)
    app.include_router(routes_alerts.router)
    return app
