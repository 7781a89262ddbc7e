from django import forms

from .models import FeedbackItem, ReviewSessionItem


class RevisionUploadForm(forms.Form):
    file = forms.FileField(
        widget=forms.ClearableFileInput(attrs={"accept": ".png,.jpg,.jpeg,.webp,.pdf,.mp4"}),
        help_text="PNG, JPEG, WebP, PDF or MP4",
    )
    note = forms.CharField(required=False, widget=forms.TextInput(attrs={"placeholder": "What changed (optional)"}))


class AnnotationForm(forms.Form):
    x = forms.FloatField(min_value=0, max_value=1, widget=forms.HiddenInput)
    y = forms.FloatField(min_value=0, max_value=1, widget=forms.HiddenInput)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What needs to change here?"}))


class FeedbackForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Add a note or action item"}))
    is_action_item = forms.BooleanField(required=False, initial=True, label="Action item")


class FeedbackStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(s, label) for s, label in FeedbackItem.Status.choices if s != FeedbackItem.Status.CARRIED]
    )


class SessionForm(forms.Form):
    title = forms.CharField(max_length=200)


class SessionCreateForm(SessionForm):
    deliverables = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, awaiting=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.awaiting = list(awaiting)
        self.fields["deliverables"].choices = [(d.pk, d.name) for d in self.awaiting]


class AddItemsForm(forms.Form):
    deliverables = forms.TypedMultipleChoiceField(coerce=int, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, awaiting=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deliverables"].choices = [(d.pk, d.name) for d in awaiting]


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            (d, label) for d, label in ReviewSessionItem.Decision.choices if d != ReviewSessionItem.Decision.PENDING
        ]
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
