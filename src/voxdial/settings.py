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

    def base_url(self) -> str:
        return self.public_base_url.rstrip("/") or f"http://{self.host}:{self.port}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
