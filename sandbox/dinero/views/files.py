"""The file archive: ``POST /v1/{org}/files`` (multipart upload), ``GET /v1/{org}/files`` (a
bare array with its filters) and ``GET /v1/{org}/files/{fileGuid}`` (the file itself)."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import request

from sandbox.dinero import files
from sandbox.dinero.errors import NotFound
from sandbox.dinero.errors import invalid
from sandbox.dinero.listing import int_arg
from sandbox.dinero.views.common import organization

bp = Blueprint("dinero_files", __name__)


def _refused(text: str):
    """The upload's documented 400: a JSON string, not Dinero's usual error object."""
    return jsonify(text), 400


@bp.post("/v1/<organizationId>/files")
def upload(organizationId: str):
    posted = request.files.get("file")
    if posted is None or not posted.filename:
        return _refused("No file was posted: send it as the multipart field 'file'.")
    try:
        content = posted.read()
    finally:
        posted.close()  # a large upload is spooled to a temporary file
    if not content:
        return _refused("The posted file is empty.")
    if len(content) > files.MAX_BYTES:
        return _refused("The file is larger than 6 MB.")
    record = files.store_file(organization(), posted.filename, content, posted.mimetype)
    return jsonify({"FileGuid": record["FileGuid"]})


@bp.get("/v1/<organizationId>/files")
def list_files(organizationId: str):
    page, page_size = int_arg("page", 0), int_arg("pageSize", 1000)
    if page < 0:
        raise invalid("page", "The page must be 0 or greater (pages are 0-based).")
    if page_size < 1:
        raise invalid("pageSize", "The pageSize must be 1 or greater.")
    records = files.listed(
        organization(),
        request.args.getlist("extensions"),
        request.args.get("uploadedAfter"),
        request.args.get("uploadedBefore"),
        request.args.get("fileStatus") or "All",
    )
    return jsonify(records[page * page_size : (page + 1) * page_size])


@bp.get("/v1/<organizationId>/files/<fileGuid>")
def download(organizationId: str, fileGuid: str):
    record = organization().files.get(fileGuid.lower())
    if record is None:
        raise NotFound("File")
    return file_response(record)


def file_response(record: dict) -> Response:
    return Response(
        record["_content"],
        mimetype=record["_mimetype"],
        headers={"Content-Disposition": f'inline; filename="{record["Name"]}"'},
    )
