"""Data-quality page: duplicate ids, likely duplicate commitments (with a merge for chief
editors), wrong delays, non-ISO target dates, agency aliases and category groups."""

import difflib
from urllib.parse import quote

from django.contrib import admin, messages
from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker.core import format as fmt
from tracker.core import quality
from tracker.core.agencies import alias_groups_in, normalise
from tracker.core.categories import canonical_category, category_groups_in
from tracker.core.data_version import data_version_for
from tracker.core.legislators import legislators_in_subject
from tracker.core.models import Commitment, DuplicateCopy, Source, SyncConflict, TrackingLog
from tracker.core.services.commitment_editing import commitments_set_agency
from tracker.core.services.commitment_merge import commitment_merge
from tracker.desk.admin.history import HistoryAdmin

aggregates = caches["aggregates"]


def agency_alias_groups() -> list[dict]:
    """Return each agency written more than one way, with the commitments per spelling."""
    counts = dict(
        Commitment.objects.order_by()
        .exclude(responsible_agency=None)
        .values_list("responsible_agency")
        .annotate(count=Count("pk"))
    )
    groups = []
    for canonical, spellings in sorted(alias_groups_in(counts).items()):
        rows = [
            {
                "spelling": spelling,
                "count": count,
            }
            for spelling, count in sorted(counts.items())
            if normalise(spelling) in spellings
        ]
        groups.append({"canonical": canonical, "rows": rows})
    return groups


def category_groups() -> tuple[list[dict], list[list[str]]]:
    """Return the category groups the data uses, with the commitments per name, and the
    names that look alike but are in no common group (to add to tracker.core.categories)."""
    counts = dict(Commitment.objects.order_by().values_list("category").annotate(count=Count("pk")))
    changelist = reverse("admin:tracker_commitment_changelist")
    groups = [
        {
            "canonical": canonical,
            "url": f"{changelist}?category={quote(canonical)}",
            "rows": [{"name": name, "count": counts.get(name, 0)} for name in names],
        }
        for canonical, names in sorted(category_groups_in(counts).items())
    ]
    ungrouped = [
        names
        for names in quality.near_duplicate_categories(counts)
        if len({canonical_category(name) for name in names}) > 1
    ]
    return groups, ungrouped


def likely_duplicate_pairs(request=None) -> list[dict]:
    """Return pairs of commitments that are likely one promise.

    Comparing every wording of a reply with the others takes half a second on the corpus,
    so the pairs are kept per data version (any save raises it) in the aggregates cache;
    then the page reads only the paired records.
    """
    key = f"likely-duplicates:{data_version_for(request).version}"
    pairs = aggregates.get(key)
    if pairs is None:
        pairs = [
            (pair.first.key, pair.second.key, pair.reason, pair.ratio)
            for pair in quality.likely_duplicates(
                quality.DuplicateCandidate(
                    row.pk, row.title, row.wording, row.source.document_id, row.uid
                )
                for row in Commitment.objects.select_related("source")
                .only("pk", "uid", "title", "wording", "source__document_id")
                .order_by("file_path")
            )
        ]
        aggregates.set(key, pairs)
    paired = {pk for first, second, _reason, _ratio in pairs for pk in (first, second)}
    commitments = Commitment.objects.only(
        "pk", "uid", "title", "status", "file_path", "last_updated", "version"
    ).in_bulk(paired)
    # Counted for the paired records only: a count over every record costs more than the rest.
    counts = dict(
        TrackingLog.objects.filter(commitment_id__in=paired)
        .order_by()
        .values_list("commitment_id")
        .annotate(count=Count("pk"))
    )
    for commitment in commitments.values():
        commitment.log_count = counts.get(commitment.pk, 0)
    result = []
    for first_pk, second_pk, reason, ratio in pairs:
        if first_pk not in commitments or second_pk not in commitments:
            continue
        first, second = commitments[first_pk], commitments[second_pk]
        # Suggest keeping the record the import would keep: newer, then longer timeline.
        rank = (first.last_updated, first.log_count) >= (second.last_updated, second.log_count)
        result.append(
            {
                "first": first,
                "second": second,
                "suggested": first if rank else second,
                "same_title": reason == quality.SAME_TITLE,
                "ratio": f"{ratio:.2f}",
            }
        )
    return result


def quality_view(request):
    """One page listing what an editor should fix, with links to fix it."""
    if not request.user.has_perm("tracker.view_commitment"):
        raise PermissionDenied
    if request.method == "POST":
        if "merge" in request.POST:
            return _merge(request)
        return _unify_agency(request)
    changelist = reverse("admin:tracker_commitment_changelist")
    non_iso = (
        Commitment.objects.exclude(target_date_text=None)
        .exclude(target_date_text__regex=fmt.ISO_DATE_PATTERN)
        .only("pk", "title", "target_date_text", "target_date", "status")
        .order_by("target_date_text", "title")
    )
    groups = agency_alias_groups()
    categories, ungrouped_categories = category_groups()
    for group in groups:
        for row in group["rows"]:
            row["url"] = f"{changelist}?responsible_agency__exact={quote(row['spelling'])}"
    context = {
        **admin.site.each_context(request),
        "title": _("資料品質"),
        "opts": Commitment._meta,
        "duplicates": DuplicateCopy.objects.select_related("commitment").order_by("file_path"),
        "non_iso": non_iso,
        "alias_groups": groups,
        "unparsed_subjects": [
            source
            for source in Source.objects.only("pk", "document_id", "subject").order_by("pk")
            if not legislators_in_subject(source.subject)
        ],
        "achieved_unmet": Commitment.objects.achieved_with_unmet_criteria()
        .only("pk", "title")
        .order_by("title"),
        "delayed_early": Commitment.objects.delayed_before_target()
        .only("pk", "title", "target_date_text", "target_date", "status")
        .order_by("target_date", "title"),
        "open_conflicts": SyncConflict.objects.open().count(),
        "conflicts_url": reverse("admin:tracker_syncconflict_changelist") + "?state__exact=open",
        "can_change": request.user.has_perm("tracker.change_commitment"),
        "likely_duplicates": likely_duplicate_pairs(request),
        "duplicate_ratio": f"{quality.DUPLICATE_WORDING_RATIO:.2f}",
        "can_merge": request.user.has_perm("tracker.delete_commitment"),
        "category_groups": categories,
        "ungrouped_categories": ungrouped_categories,
    }
    return TemplateResponse(request, "admin/tracker/quality.html", context)


def _merge(request):
    """Merge one likely duplicate into the other (chief editors: it deletes a record)."""
    if not request.user.has_perm("tracker.delete_commitment"):
        raise PermissionDenied
    back = redirect(reverse("admin:tracker_commitment_quality") + "#likely-duplicates")
    try:
        seen = {
            int(request.POST[f"{name}_pk"]): int(request.POST[f"{name}_version"])
            for name in ("first", "second")
        }
        kept_pk = int(request.POST.get("kept", ""))
    except (KeyError, ValueError):
        messages.error(request, _("合併：請選擇要保留哪一筆承諾"))
        return back
    if kept_pk not in seen or len(seen) != 2:
        messages.error(request, _("合併：請選擇要保留哪一筆承諾"))
        return back
    records = Commitment.objects.in_bulk(list(seen))
    if len(records) != 2:
        messages.error(request, _("合併：其中一筆承諾已不存在（可能已被合併），請重新整理頁面"))
        return back
    for pk, record in records.items():
        record.version = seen[pk]  # the version the editor saw: a later save is refused
    (absorbed_pk,) = set(seen) - {kept_pk}
    kept, absorbed = records[kept_pk], records[absorbed_pk]
    try:
        commitment_merge(kept=kept, absorbed=absorbed, by=request.user)
    except ValidationError as error:
        messages.error(request, _("合併未執行：") + " ".join(error.messages))
        return back
    messages.success(
        request,
        _("已將「%(absorbed)s」（%(uid)s）併入「%(kept)s」：時間軸合併，舊網址轉址到保留的承諾。")
        % {"absorbed": absorbed.title, "uid": absorbed.uid, "kept": kept.title},
    )
    return back


def _unify_agency(request):
    if not request.user.has_perm("tracker.change_commitment"):
        raise PermissionDenied
    canonical = request.POST.get("canonical", "")
    spelling = request.POST.get("spelling", "")
    group = next((g for g in agency_alias_groups() if g["canonical"] == canonical), None)
    spellings = {row["spelling"] for row in group["rows"]} if group else set()
    if not spelling or spelling not in spellings | {canonical}:
        messages.error(request, _("請從這一組的寫法中選擇一個"))
        return redirect("admin:tracker_commitment_quality")
    try:
        count = commitments_set_agency(
            commitments=Commitment.objects.filter(responsible_agency__in=spellings),
            agency=spelling,
            user=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("已將 %(count)d 筆承諾的負責機關統一寫成「%(spelling)s」。")
            % {"count": count, "spelling": spelling},
        )
    return redirect("admin:tracker_commitment_quality")


@admin.register(DuplicateCopy)
class DuplicateCopyAdmin(HistoryAdmin):
    """Files set aside by import because another file had the same id."""

    list_display = ("file_path", "kept", "reason", "last_updated", "log_count", "detected_at")
    list_select_related = ("commitment",)
    search_fields = ("file_path", "commitment__title", "commitment__uid")
    readonly_fields = (
        "kept",
        "file_path",
        "reason",
        "last_updated",
        "log_count",
        "detected_at",
        "comparison",
    )
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("保留的承諾"), ordering="commitment__file_path")
    def kept(self, obj):
        url = reverse("admin:tracker_commitment_change", args=[obj.commitment_id])
        return format_html(
            '<a href="{}">{}</a>（{}）', url, obj.commitment.title, obj.commitment.file_path
        )

    @admin.display(description=gettext_lazy("與保留版本的差異"))
    def comparison(self, obj):
        commitment = Commitment.objects.with_timeline().get(pk=obj.commitment_id)
        try:
            kept = fmt.render(commitment.to_data())
        except fmt.FormatError as error:
            return str(error)
        diff = difflib.unified_diff(
            obj.file_text.splitlines(),
            kept.splitlines(),
            fromfile=obj.file_path,
            tofile=commitment.file_path,
            lineterm="",
        )
        text = "\n".join(diff) or _("兩個檔案內容相同")
        return format_html('<pre class="tracker-diff">{}</pre>', text)
