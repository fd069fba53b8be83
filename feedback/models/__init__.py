"""The feedback app's models, one module per concept: complaints and suggestions
(`complaints`), action plans on survey results (`action_plans`). Django finds them here."""

from feedback.models.action_plans import Action, ActionEvent, ActionPlan
from feedback.models.complaints import Feedback, FeedbackEvent

__all__ = ["Action", "ActionEvent", "ActionPlan", "Feedback", "FeedbackEvent"]
