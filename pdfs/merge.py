"""The parts of a long brief (pdfs/parts.py), each a tagged PDF from WeasyPrint, merged into one
with pikepdf (qpdf: it copies objects between PDFs without Python objects for each): pages,
structure tree, named destinations, links between parts, bookmarks; then the running heads laid
over the pages. The first part (cover and contents) gives the document its catalog entries
(language, PDF/UA metadata, viewer preferences), document information and attachments."""

import io
import urllib.parse

import pikepdf
from pikepdf import Array, Dictionary, String

from .rendering import CROSS_PART_LINK

RUNNING_HEADS = "/BriefdeskRunningHeads"  # the form's name in each page's resources
SHARED_HEADS = "/BriefdeskHeads"  # the heads but the page number, in each running heads' form


def merge_parts(parts: list[bytes], heads: bytes, numbers: bytes) -> bytes:
    """One PDF of the ``parts`` (PDF bytes, in reading order) with the running heads laid over
    its pages: the second page of ``heads`` over each but the first, and each page of
    ``numbers`` (as many as the parts', drawing only the page number) over its own."""
    merged = pikepdf.open(io.BytesIO(parts[0]))
    root = merged.Root.StructTreeRoot
    document = root.K[0]
    # The parent tree, renumbered: page N's marked content under key N (each part had its
    # own from 0), then the link annotations'. Appended one item at a time: Array.extend took
    # 1.4 ms an item here.
    nums, annotations, destinations = Array(), [], {}
    with merged.open_outline() as outline:
        for number, data in enumerate(parts):
            # One part open at a time (qpdf reads a whole part's objects: about 8 MB each).
            pdf = pikepdf.open(io.BytesIO(data)) if number else merged
            start = len(merged.pages) if number else 0
            if number:
                merged.pages.extend(pdf.pages)
                # Copied after the pages, so that the references to pages, annotations and
                # elements within the part lead to their copies.
                part_root = merged.copy_foreign(pdf.Root.StructTreeRoot)
                for element in part_root.K[0].K:
                    element.P = document
                    document.K.append(element)
                outline.root.extend(_outline_items(pdf, merged, start))
            else:
                part_root = root
            part_nums = part_root.ParentTree.Nums
            elements = {
                int(key): value for key, value in zip(part_nums[::2], part_nums[1::2], strict=True)
            }
            for number_in_part, page in enumerate(merged.pages[start:]):
                page.obj.StructParents = start + number_in_part
                nums.append(start + number_in_part)
                nums.append(elements[number_in_part])
                for annotation in page.obj.get("/Annots", ()):
                    if "/StructParent" in annotation:
                        key = int(annotation.StructParent)
                        annotations.append((annotation, elements[key]))
            destinations.update(_destinations(pdf, merged, start))
    for key, (annotation, element) in enumerate(annotations, start=len(merged.pages)):
        annotation.StructParent = key
        nums.append(key)
        nums.append(element)
    root.ParentTree = merged.make_indirect(Dictionary(Nums=nums))
    _link_across_parts(merged)
    names = pikepdf.NameTree.new(merged)
    for name in sorted(destinations):
        names[name] = destinations[name]
    if "/Names" not in merged.Root:
        merged.Root.Names = Dictionary()
    merged.Root.Names.Dests = names.obj
    _lay_over(merged, pikepdf.open(io.BytesIO(heads)), pikepdf.open(io.BytesIO(numbers)))
    out = io.BytesIO()
    merged.save(
        out,
        deterministic_id=True,  # a re-render of the same revision gives the same bytes
        stream_decode_level=pikepdf.StreamDecodeLevel.none,  # streams copied as they are
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
    )
    return out.getvalue()


def _page_numbers(pdf, start):
    return {page.objgen: start + number for number, page in enumerate(pdf.pages)}


def _destination(destination, merged, numbers):
    """A part's explicit destination [page /XYZ x y zoom] on the merged document's page."""
    page, *position = destination
    return Array([merged.pages[numbers[page.objgen]].obj, *position])


def _destinations(pdf, merged, start):
    if "/Names" not in pdf.Root or "/Dests" not in pdf.Root.Names:
        return {}
    numbers = _page_numbers(pdf, start)
    return {
        str(name): _destination(destination, merged, numbers)
        for name, destination in pikepdf.NameTree(pdf.Root.Names.Dests).items()
    }


def _outline_items(pdf, merged, start):
    numbers = _page_numbers(pdf, start)

    def copy(item):
        new = pikepdf.OutlineItem(
            item.title, destination=_destination(item.destination, merged, numbers)
        )
        new.is_closed = item.is_closed
        new.children.extend(copy(child) for child in item.children)
        return new

    with pdf.open_outline() as outline:
        return [copy(item) for item in outline.root]


def _link_across_parts(merged):
    """``briefdesk-part:`` links as WeasyPrint writes an internal link: to a named destination,
    its name as the annotation's text."""
    for page in merged.pages:
        for annotation in page.obj.get("/Annots", ()):
            action = annotation.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if uri.startswith(CROSS_PART_LINK):
                name = urllib.parse.unquote(uri.removeprefix(CROSS_PART_LINK))
                del annotation.A
                annotation.Dest = String(name)
                annotation.Contents = String(name)


def _lay_over(merged, heads, numbers):
    """The running heads (untagged) over each merged page but the cover (which has none): a
    form of each page of ``numbers`` that draws also the second page of ``heads`` (one form,
    shared), its content marked as an artifact. By hand rather than with Page.add_overlay,
    which names the form at random (the same revision must give the same bytes) and decodes
    and re-encodes the page's content."""
    if len(numbers.pages) != len(merged.pages) or len(heads.pages) != 2:
        raise RuntimeError("The running heads do not have the brief's page count.")
    shared = numbers.copy_foreign(heads.pages[1].as_form_xobject())
    size = list(heads.pages[1].mediabox)
    for page, number in zip(merged.pages[1:], numbers.pages[1:], strict=True):
        if not list(page.mediabox) == list(number.mediabox) == size:
            raise RuntimeError("The running heads' pages are not the brief's size.")
        content = (
            f"/Artifact BMC\nq {SHARED_HEADS} Do Q\n".encode()
            + number.obj.Contents.read_bytes()
            + b"\nEMC\n"
        )
        number.obj.Contents = numbers.make_stream(content)
        _add_xobject(number, SHARED_HEADS, shared)
        _add_xobject(page, RUNNING_HEADS, merged.copy_foreign(number.as_form_xobject()))
        page.contents_add(b"q\n", prepend=True)
        page.contents_add(f"\nQ\nq {RUNNING_HEADS} Do Q\n".encode())


def _add_xobject(page, name, xobject):
    """``xobject`` listed as ``name`` in the resources of ``page``, which get a dictionary of
    their own: WeasyPrint's pages share one, and the form belongs to this page only."""
    resources = dict(page.obj.Resources.items())
    xobjects = dict(resources.get("/XObject", {}).items())
    xobjects[name] = xobject
    resources["/XObject"] = Dictionary(xobjects)
    page.obj.Resources = Dictionary(resources)
