"""The question bank's starting point: the classic internal-service dimensions (the default
template), a recommendation score and a free-text question."""

from django.db import migrations

BANK = [
    # (dimension, kind, English, Simplified Chinese, required, in the default template)
    ("responsiveness", "likert", "They respond to our requests quickly.",
     "他们能迅速响应我们的请求。", True, True),
    ("quality", "likert", "The quality of their work meets our needs.",
     "他们的工作质量满足我们的需要。", True, True),
    ("communication", "likert", "They keep us informed and explain clearly.",
     "他们及时告知进展并解释清楚。", True, True),
    ("attitude", "likert", "They are helpful and courteous.", "他们乐于助人、态度友善。", True, True),
    ("overall", "likert", "Overall, we are satisfied with their service.",
     "总体而言，我们对他们的服务感到满意。", True, True),
    ("comment", "text", "What could they do better?", "他们还有哪些可以改进的地方？", False, True),
    ("recommend", "recommend",
     "How likely are you to recommend working with them to a colleague (0 to 10)?",
     "您向同事推荐与他们合作的可能性有多大（0 到 10）？", False, False),
]  # fmt: skip


def create_bank(apps, schema_editor):
    Question = apps.get_model("surveys", "Question")
    for position, (dimension, kind, text, text_zh, required, default) in enumerate(BANK, 1):
        Question.objects.get_or_create(
            dimension=dimension,
            defaults={
                "kind": kind,
                "text": text,
                "text_zh_hans": text_zh,
                "required": required,
                "in_default_template": default,
                "position": position * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(create_bank, migrations.RunPython.noop)]
