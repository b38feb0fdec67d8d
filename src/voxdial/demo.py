"""`voxdial demo`: a whole campaign on the simulated carrier, in virtual time."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import UTC, datetime, timedelta

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from voxdial.api import render
from voxdial.clock import VirtualClock
from voxdial.dialer.dialer import Dialer
from voxdial.domain.phone import PhoneNormalizer
from voxdial.runtime import dialer_config
from voxdial.settings import Settings
from voxdial.store import assistants, tasks
from voxdial.store.db import Database
from voxdial.store.models import Task
from voxdial.store.tokens import get_or_create_workspace
from voxdial.telephony.sim import SimCarrier, SimConfig

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"


def run_demo(settings: Settings, *, numbers: int, seed: int, console: Console) -> int:
    db = Database(settings.database_url)
    rng = random.Random(seed)
    start = datetime.now(UTC).replace(microsecond=0)
    first_day = (start + timedelta(days=1)).date().isoformat()
    try:
        with db.session() as s:
            ws, user = get_or_create_workspace(
                s, name="default", email="admin@localhost", time_zone=settings.default_time_zone
            )
            config = assistants.default_config(ws.time_zone)
            config.update(
                welcome="您好{姓名}，我是小狐，耽误您一分钟做个满意度回访。",
                collect=[
                    {"question": "您对我们的服务满意吗？", "answers": ["满意", "一般", "不满意"]},
                    {"question": "您愿意推荐给朋友吗？", "answers": ["愿意", "不愿意"]},
                ],
                knowledge="营业时间：每天九点到十八点。",
            )
            a, _ = assistants.create_assistant(
                s, workspace_id=ws.id, user_id=user.id, name="演示助手", config=config
            )
            task = tasks.create_task(
                s,
                workspace_id=ws.id,
                time_zone=ws.time_zone,
                name=f"演示任务 {start:%m-%d %H:%M}",
                assistant_id=a.id,
                assistant_vid=None,
                option={
                    "startDate": first_day,
                    "startTime": [["09:00", "12:00"], ["14:00", "18:00"]],
                    "retryCount": 2,
                    "retryInterval": 60,
                    "concurrency": 20,
                },
                normalizer=PhoneNormalizer(settings.default_region),
            )
            normalizer = PhoneNormalizer(settings.default_region)
            rows = [
                {"号码": phone, "姓名": rng.choice(SURNAMES) + rng.choice(GIVEN)}
                for phone in demo_numbers(rng, numbers, normalizer)
            ]
            tasks.add_numbers_from_json(
                s, task=task, numbers=rows, normalizer=PhoneNormalizer(settings.default_region)
            )
            task.status = "running"
            task.started_at = start
            s.commit()
            task_id, total = task.id, task.total

        clock = VirtualClock(start)
        cfg = dialer_config(settings)
        cfg.calls_per_second = 0
        cfg.lease_seconds = 3600
        dialer = Dialer(db, carrier=SimCarrier(SimConfig(seed=seed)), clock=clock, config=cfg)
        with Progress(
            TextColumn("[bold]calling[/bold]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[when]}"),
            console=console,
        ) as progress:
            bar = progress.add_task("calls", total=total, when="")

            def on_tick(now: datetime) -> None:
                with db.session() as s:
                    done = s.get(Task, task_id).final_num
                local = now.astimezone(clock_zone(settings))
                progress.update(bar, completed=done, when=f"virtual time {local:%m-%d %H:%M}")

            asyncio.run(clock.run(dialer.run_until_idle(on_tick=on_tick)))

        with db.session() as s:
            row = tasks.get_detail(s, workspace_id=ws.id, task_id=task_id)
            t, a, v, email = row
            detail = render.task_detail(
                t, a, v, email, tz=settings.default_time_zone, base_url=settings.base_url()
            )
        console.print_json(json.dumps(detail, ensure_ascii=False))
        base = settings.base_url()
        auth = 'curl -H "Authorization: Bearer $TOKEN"'
        typer.echo(
            f"\nTask {task_id} is {detail['status']}: {detail['progress']}% of {total} numbers "
            f"finished, collection rate {detail['collectionRate']}%.\n"
            "Look next (with `make run` serving and TOKEN=$(cat .voxdial/token)):\n"
            f"  {auth} {base}/openapi/tasks/{task_id}/statistics\n"
            f"  {auth} '{base}/openapi/calllog?taskId={task_id}'\n"
            f"  {auth} {base}/openapi/calltrace/<sessionId>"
        )
        return task_id
    finally:
        db.dispose()


def demo_numbers(rng: random.Random, count: int, normalizer: PhoneNormalizer) -> list[str]:
    """`count` distinct valid mobile numbers."""
    out: set[str] = set()
    while len(out) < count:
        raw = f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}"
        try:
            out.add(normalizer.normalize(raw))
        except ValueError:
            continue
    return sorted(out)


def clock_zone(settings: Settings):
    from zoneinfo import ZoneInfo

    return ZoneInfo(settings.default_time_zone)
