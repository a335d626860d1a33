"""The Ask tab: a conversation of cited answers; a citation chip, or an `[n]` marker in the answer, opens
its passage. Filters sit in an accordion above the conversation, reachable first on a phone."""

from __future__ import annotations

from collections.abc import Iterator

import gradio as gr

from policykb.core.events import Failed, Final, Token
from policykb.core.text import read_as
from policykb.core.types import Citation
from policykb.service import KnowledgeBase
from policykb.service.jobs import JobManager
from policykb.ui import filters, render
from policykb.ui.access import UIAccess
from policykb.ui.page import OnLoad


def build(kb: KnowledgeBase, jobs: JobManager, access: UIAccess) -> OnLoad:
    with gr.Accordion("Filters: type, organisation, years, WHO meeting", open=False, elem_id="ask-filters"), gr.Row():
        widgets = filters.filter_widgets(kb, "ask")
    # autoscroll off: the page script shows the start of a new answer, not its end
    chat = gr.Chatbot(label="Answers", elem_id="chat", height=420, sanitize_html=True, autoscroll=False)
    question = gr.Textbox(label="Your question", elem_id="ask-input",
                          placeholder="What did IAPO call for at the WHO Regional Committee for Africa?")  # fmt: skip
    with gr.Row():
        ask_button = gr.Button("Ask", variant="primary", elem_id="ask-button")
        clear = gr.Button("New conversation", elem_id="ask-clear")
    chips = gr.Radio(label="Citations — choose one, or a [n] in the answer, to read the passage", choices=[],
                     elem_id="citation-chips", elem_classes=["chips"], visible=False)  # fmt: skip
    passage = gr.HTML(elem_id="passage")
    related = gr.HTML(elem_id="related")
    turns = gr.State([])
    citations = gr.State([])

    def ask(question: str, chat: list, turns: list, types, orgs, y_from, y_to, meetings) -> Iterator[tuple]:
        question = (question or "").strip()
        if not question:
            yield chat, turns, gr.update(), "", "", []
            return
        chat = [*chat, {"role": "user", "content": render.chat_text(question)}, {"role": "assistant", "content": "…"}]
        yield chat, turns, gr.update(choices=[], value=None), "", "", []
        draft = ""
        for event in kb.ask_events(question, filters.to_filters(types, orgs, y_from, y_to, meetings), turns):
            match event:
                case Token(text):
                    draft += text
                    chat[-1] = {"role": "assistant", "content": render.chat_text(draft)}
                    yield chat, turns, gr.update(), "", "", []
                case Failed(_, message):
                    chat[-1] = {"role": "assistant", "content": render.chat_text(message)}
                    yield chat, turns, gr.update(), "", "", []
                case Final(answer):
                    if draft != answer.answer:  # the verified answer replaces the draft, claim by claim
                        shown = ""
                        for claim in answer.claims():
                            shown += claim
                            chat[-1] = {"role": "assistant", "content": render.chat_text(shown)}
                            yield chat, turns, gr.update(), "", "", []
                    if answer.corrections:
                        said = f"{answer.answer}\n\n{read_as(answer.corrections)}"
                        chat[-1] = {"role": "assistant", "content": render.chat_text(said)}
                    turns = [*turns, {"role": "user", "content": question},
                             {"role": "assistant", "content": answer.answer}]  # fmt: skip
                    choices = list(
                        zip(render.chip_labels(answer.citations), [c.n for c in answer.citations], strict=True)
                    )
                    chips = gr.update(choices=choices, value=None, visible=bool(choices))
                    shown_related = "" if answer.answerable else render.related_html(answer.related)
                    yield chat, turns, chips, "", shown_related, answer.citations

    def show_passage(n: int | None, citations: list[Citation]) -> str:
        citation = next((c for c in citations if c.n == n), None)
        if citation is None:
            return ""
        return render.passage_html(citation, kb.chunk(citation.chunk_id))

    outputs = [chat, turns, chips, passage, related, citations]
    inputs = [question, chat, turns, *widgets.inputs]
    ask_button.click(access.guard(ask), inputs, outputs).then(lambda: "", None, question)
    question.submit(access.guard(ask), inputs, outputs).then(lambda: "", None, question)
    chips.change(access.guard(show_passage), [chips, citations], passage)
    clear.click(lambda: ([], [], gr.update(choices=[], visible=False), "", "", []), None, outputs)
    return OnLoad(lambda: filters.choices(kb), widgets.choice_outputs)
