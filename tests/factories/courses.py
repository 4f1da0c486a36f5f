"""Request bodies for the courses API, built from the API's own models so
they are valid by construction; tests override only what they are about."""

from __future__ import annotations

import random
from datetime import date, timedelta

from polyfactory import Use
from polyfactory.factories.pydantic_factory import ModelFactory

from aksio.courses.domain import PALETTE
from aksio.courses.models import CourseCreate, CourseUpdate, SectionCreate

SUBJECTS = ["Cell Biology", "Linear Algebra", "Organic Chemistry", "Macroeconomics", "Statistics"]
TERMS = ["Autumn 2025", "Spring 2026", "Summer 2026"]


def _exam_date() -> date:
    return date.today() + timedelta(days=random.randint(7, 200))


class CourseCreateFactory(ModelFactory[CourseCreate]):
    title = Use(lambda: random.choice(SUBJECTS))
    code = Use(lambda: f"{random.choice(['BIO', 'MAT', 'KJE', 'ECON'])}{random.randint(100, 399)}")
    description = Use(lambda: random.choice(["Core course", "Elective, 10 ECTS", None]))
    term = Use(lambda: random.choice(TERMS))
    exam_date = Use(_exam_date)
    color = Use(lambda: random.choice(PALETTE))
    archived = False


class CourseUpdateFactory(ModelFactory[CourseUpdate]):
    title = Use(lambda: random.choice(SUBJECTS) + " II")
    code = Use(lambda: f"STA{random.randint(100, 399)}")
    description = "Updated description"
    term = Use(lambda: random.choice(TERMS))
    exam_date = Use(_exam_date)
    color = "#112233"
    archived = Use(lambda: random.choice([True, False]))


class SectionCreateFactory(ModelFactory[SectionCreate]):
    title = Use(lambda: random.choice(["Introduction", "Membranes", "Enzymes", "Genetics"]))
    description = Use(lambda: random.choice(["Chapter 1-2", None]))
    position = None
