"""Settings, read from `VOXDIAL_*` environment variables.

Only composition roots (the app factory and the CLI) call `get_settings()`; library code
takes what it needs as arguments.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VOXDIAL_", extra="ignore")

    database_url: str = "sqlite:///./voxdial.db"
    data_dir: Path = Path(".voxdial")
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str = Field(
        default="",
        description="Base URL clients reach this server at; defaults to http://HOST:PORT.",
    )

    default_region: str = "CN"
    default_time_zone: str = "Asia/Shanghai"

    rate_limit_per_second: float = 50.0
    rate_limit_burst: int = 200

    max_upload_bytes: int = 100 * 1024 * 1024
    max_file_rows: int = 2_000_000
    max_xlsx_uncompressed_bytes: int = 1024 * 1024 * 1024
    max_xlsx_ratio: int = 200
    max_json_numbers: int = 10_000

    token_cache_seconds: float = 5.0

    # The dialer (`voxdial serve` runs it in-process; `voxdial worker` runs only it).
    dialer_enabled: bool = True
    carrier: str = "sim"
    caller_id: str = "+862150000000"
    dialer_max_lines: int = 200
    dialer_calls_per_second: float = 50.0
    dialer_lease_seconds: float = 300.0
    dialer_tick_seconds: float = 0.2
    daily_call_cap: int = 3
    breaker_threshold: int = 20
    sim_seed: int | None = None
    sim_talk_seconds_per_char: float = 0.25

    def base_url(self) -> str:
        return self.public_base_url.rstrip("/") or f"http://{self.host}:{self.port}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
