"""HTTP handlers of ``/api/v1/courses``: validation is declared by the
signatures (see aksio.http.router); the work happens in the repository.

Ownership is the path (``users/{uid}/courses/...``): another user's course
id is simply not found, so it answers 404 like an id that never existed.
"""

from __future__ import annotations

from aksio.courses import deletion, domain, repository
from aksio.courses.models import (
    Course,
    CourseCreate,
    CourseDeletion,
    CourseListQuery,
    CourseReplace,
    CourseUpdate,
    Section,
    SectionCreate,
    SectionListQuery,
    SectionReorder,
    SectionReplace,
    SectionUpdate,
)
from aksio.http.context import RequestContext
from aksio.http.router import Router
from aksio.pagination import Page

router = Router(prefix="/api/v1/courses", tag="courses")


# ------------------------------------------------------------------ courses
@router.get("/")
def list_courses(ctx: RequestContext, query: CourseListQuery) -> Page[Course]:
    """The caller's courses, newest first; ``archived`` filters."""
    return repository.list_courses(ctx.services.documents, ctx.uid, query)


@router.post("/", status=201, errors=(409,))
def create_course(ctx: RequestContext, body: CourseCreate) -> Course:
    """Create a course."""
    now = ctx.services.clock.now()
    domain.check_exam_date(body.exam_date, now.date())
    return repository.create_course(ctx.services.documents, ctx.uid, body, now)


@router.get("/<course_id>/", errors=(404,))
def get_course(ctx: RequestContext, course_id: str) -> Course:
    """One course."""
    return repository.get_course(ctx.services.documents, ctx.uid, course_id)


@router.put("/<course_id>/", errors=(404,))
def replace_course(ctx: RequestContext, course_id: str, body: CourseReplace) -> Course:
    """Replace the course's editable fields; those left out take their defaults."""
    now = ctx.services.clock.now()
    domain.check_exam_date(body.exam_date, now.date())
    fields = body.model_dump()
    return repository.update_course(ctx.services.documents, ctx.uid, course_id, fields, now)


@router.patch("/<course_id>/", errors=(404,))
def update_course(ctx: RequestContext, course_id: str, body: CourseUpdate) -> Course:
    """Change the fields given; the others keep their value."""
    now = ctx.services.clock.now()
    domain.check_exam_date(body.exam_date, now.date())
    fields = body.model_dump(include=body.model_fields_set)
    return repository.update_course(ctx.services.documents, ctx.uid, course_id, fields, now)


@router.delete("/<course_id>/", status=202, errors=(404, 503))
def delete_course(ctx: RequestContext, course_id: str) -> CourseDeletion:
    """Delete the course and everything in it (documents, files, sections...).

    Answers 202: the course is gone from lists and reads at once, its contents
    are removed by a background task."""
    s = ctx.services
    deletion.request_deletion(s.documents, s.tasks, ctx.uid, course_id, s.clock.now())
    return CourseDeletion(id=course_id)


# ------------------------------------------------------------------ sections
@router.get("/<course_id>/sections/", errors=(404,))
def list_sections(ctx: RequestContext, course_id: str, query: SectionListQuery) -> Page[Section]:
    """The course's sections in order (one page holds them all by default)."""
    return repository.list_sections(ctx.services.documents, ctx.uid, course_id, query)


@router.post("/<course_id>/sections/", status=201, errors=(404, 409))
def create_section(ctx: RequestContext, course_id: str, body: SectionCreate) -> Section:
    """Add a section at the end, or at ``position`` (the sections after it move down)."""
    s = ctx.services
    return repository.create_section(s.documents, ctx.uid, course_id, body, s.clock.now())


@router.post("/<course_id>/sections/reorder/", errors=(404,))
def reorder_sections(ctx: RequestContext, course_id: str, body: SectionReorder) -> Page[Section]:
    """Put the sections in the order given (every section id, exactly once)."""
    items = repository.reorder_sections(
        ctx.services.documents, ctx.uid, course_id, body.section_ids
    )
    return Page[Section](items=items)


@router.get("/<course_id>/sections/<section_id>/", errors=(404,))
def get_section(ctx: RequestContext, course_id: str, section_id: str) -> Section:
    """One section."""
    return repository.get_section(ctx.services.documents, ctx.uid, course_id, section_id)


@router.put("/<course_id>/sections/<section_id>/", errors=(404,))
def replace_section(
    ctx: RequestContext, course_id: str, section_id: str, body: SectionReplace
) -> Section:
    """Replace the section's title and description."""
    s = ctx.services
    fields = body.model_dump()
    return repository.update_section(
        s.documents, ctx.uid, course_id, section_id, fields=fields, now=s.clock.now()
    )


@router.patch("/<course_id>/sections/<section_id>/", errors=(404,))
def update_section(
    ctx: RequestContext, course_id: str, section_id: str, body: SectionUpdate
) -> Section:
    """Change the fields given."""
    s = ctx.services
    fields = body.model_dump(include=body.model_fields_set)
    return repository.update_section(
        s.documents, ctx.uid, course_id, section_id, fields=fields, now=s.clock.now()
    )


@router.delete("/<course_id>/sections/<section_id>/", status=204, errors=(404,))
def delete_section(ctx: RequestContext, course_id: str, section_id: str) -> None:
    """Delete a section; the ones after it move up (positions stay 0..n-1)."""
    repository.delete_section(ctx.services.documents, ctx.uid, course_id, section_id)
