// The queue's tools: "select all on this page" for bulk actions, and a canned reply put into
// the comment box where the cursor is. Without JavaScript the select-all box stays hidden and
// picking a reply reloads the request page with its text in the box.
document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll("[data-select-all]")) {
    box.hidden = false;
    box.addEventListener("change", () => {
      const selector = `input[type=checkbox][name=tickets][form="${box.dataset.selectAll}"]`;
      for (const row of document.querySelectorAll(selector)) row.checked = box.checked;
    });
  }
  for (const picker of document.querySelectorAll("[data-canned-reply-picker]")) {
    picker.addEventListener("submit", (event) => {
      const option = picker.querySelector("select").selectedOptions[0];
      const comment = document.getElementById(picker.dataset.cannedReplyPicker);
      if (!option || !option.value || !comment) return;
      event.preventDefault();
      const start = comment.selectionStart ?? comment.value.length;
      const end = comment.selectionEnd ?? start;
      comment.value = comment.value.slice(0, start) + option.dataset.text + comment.value.slice(end);
      comment.focus();
    });
  }
});
