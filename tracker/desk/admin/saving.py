"""The admin collects input; one service saves it, and a refusal goes back to the form."""

from django.core.exceptions import ValidationError

from tracker.core.services.edit_conflicts import EditConflict


class SaveRefused(Exception):
    """A service refused the save (an edit conflict, or a rule): nothing was written."""

    def __init__(self, error: EditConflict | ValidationError):
        super().__init__(str(error))
        self.error = error


class ServiceSaveMixin:
    """Save through one service call in ``save_model``; show its refusal on the form.

    ``save_model`` raises SaveRefused; the admin's transaction rolls back, and the page is
    built again from the editor's input with the refusal (an edit conflict, or a rule's
    messages next to the fields they name) added to the form's errors.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except SaveRefused as refused:
            request._save_refused = refused.error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, *args, **kwargs):
        # The desk's template (admin/tracker/change_form_base.html) shows its own summary
        # of the errors, with links to the fields, instead of the admin's bare notice.
        context["error_summary"], context["errors"] = context.get("errors"), None
        return super().render_change_form(request, context, *args, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.refused = getattr(request, "_save_refused", None)
        return form


def refused(call, *args, **kwargs):
    """Call a service; turn its refusal into SaveRefused."""
    try:
        return call(*args, **kwargs)
    except (EditConflict, ValidationError) as error:
        raise SaveRefused(error) from None
