"""The people of the load test (bench/load.py), for Locust: staff filing and reading their
requests, agents working their department's queue and searching, heads opening their
department's dashboard. Each signs in once, as one of the people bench/ticket_queue.py creates, and
then acts with a pause of 1 to 5 seconds between pages, as a person reading them would."""

import json
import os
import random
import re
from itertools import count

from locust import HttpUser, between, task

PASSWORD = "bench-password"
DEPARTMENTS = 20
AGENTS_PER_DEPARTMENT = 5
REQUESTERS = 400
STEMS = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"
REQUEST_LINK = re.compile(r'href="/requests/(\d+)/"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
numbers = count()
# Ids bench/load.py read from the seeded database: departments by code, services by name (two per
# department, in the departments' order).
DEPARTMENT_IDS = os.environ.get("BENCH_DEPARTMENT_IDS", "").split(",")
SERVICE_IDS = os.environ.get("BENCH_SERVICE_IDS", "").split(",")
SESSIONS = json.loads(os.environ.get("BENCH_SESSIONS", "{}"))


class Person(HttpUser):
    abstract = True
    wait_time = between(1, 5)
    username = ""

    def on_start(self) -> None:
        """Start signed in, with the session bench/load.py opened for this person (or sign in
        through the form when run without it)."""
        self.number = next(numbers)
        self.username = self.choose_username()
        self.request_ids: list[str] = []
        if self.username in SESSIONS:
            self.client.cookies.set("sessionid", SESSIONS[self.username])
            return
        page = self.client.get("/accounts/login/", name="sign in")
        self.client.post(
            "/accounts/login/",
            {
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": CSRF.search(page.text).group(1),
            },
            name="sign in",
        )

    def choose_username(self) -> str:
        raise NotImplementedError

    def open_a_request(self) -> None:
        if self.request_ids:
            self.client.get(f"/requests/{random.choice(self.request_ids)}/", name="request page")

    def remember_requests(self, page) -> None:
        found = REQUEST_LINK.findall(page.text)
        if found:
            self.request_ids = found


class Staff(Person):
    weight = 50

    def choose_username(self) -> str:
        return f"staff{self.number % REQUESTERS:03d}"

    @task(3)
    def home(self) -> None:
        self.client.get("/", name="home")

    @task(3)
    def my_requests(self) -> None:
        self.remember_requests(self.client.get("/requests/", name="my requests"))

    @task(3)
    def read_a_request(self) -> None:
        self.open_a_request()

    @task(1)
    def file_a_request(self) -> None:
        """File a request with another department (the form first, as a person would)."""
        own = self.number % REQUESTERS % DEPARTMENTS
        provider = random.choice([n for n in range(DEPARTMENTS) if n != own])
        path = f"/requests/new/{SERVICE_IDS[2 * provider + random.randrange(2)]}/"
        form = self.client.get(path, name="request form")
        self.client.post(
            path,
            {
                "title": f"Load test request {random.randrange(10**6)}",
                "description": f"Please look at item{random.randrange(5000)}",
                "customer": DEPARTMENT_IDS[own],
                "priority": random.choice(["P1", "P2", "P3", "P4"]),
                "csrfmiddlewaretoken": CSRF.search(form.text).group(1),
            },
            name="file a request",
        )


class Agent(Person):
    weight = 35

    def choose_username(self) -> str:
        department = self.number % DEPARTMENTS
        return f"agent{department:02d}{(self.number // DEPARTMENTS) % AGENTS_PER_DEPARTMENT}"

    @task(4)
    def queue(self) -> None:
        self.remember_requests(self.client.get("/requests/queue/", name="queue"))

    @task(2)
    def queue_filtered(self) -> None:
        query = random.choice(
            ["priority=P1", "status=new", "assignee=mine", "page=2", "assignee=unassigned"]
        )
        self.client.get(f"/requests/queue/?{query}", name="queue, filtered")

    @task(3)
    def read_a_request(self) -> None:
        self.open_a_request()

    @task(2)
    def search(self) -> None:
        if random.random() < 0.5:
            words = f"item{random.randrange(5000)}"
        else:
            words = "".join(random.choice(STEMS) for _ in range(3))
        self.client.get("/requests/search/", params={"q": words}, name="search")

    @task(1)
    def home(self) -> None:
        self.client.get("/", name="home")


class Head(Person):
    weight = 15

    def choose_username(self) -> str:
        return f"head{self.number % DEPARTMENTS:02d}"

    @task(3)
    def dashboard(self) -> None:
        self.client.get(f"/dashboards/department/D{self.number % DEPARTMENTS:02d}/",
                        name="dashboard")  # fmt: skip

    @task(1)
    def home(self) -> None:
        self.client.get("/", name="home")

    @task(1)
    def queue(self) -> None:
        self.remember_requests(self.client.get("/requests/queue/", name="queue"))

    @task(1)
    def read_a_request(self) -> None:
        self.open_a_request()
