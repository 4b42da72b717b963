"""English dialogue corpus for the few demo customers who write in English."""

from __future__ import annotations

from kefu.demo.topic import Corpus, OrderNeed, Topic

LOGISTICS = Topic(
    key="logistics", tag="物流", team="售后组", needs=OrderNeed.SHIPPED,
    subjects=("Where is my order {order_no}?", "Delivery status", "Parcel not moving"),
    openers=(
        "Hi, where is my order {order_no}? It has not arrived yet.",
        "My parcel {tracking_no} has not moved for three days. Could you check?",
        "Hello, when will order {order_no} reach {city_en}?",
    ),
    replies=(
        "Hello, let me check that for you.",
        "Your parcel is with {carrier_en}, tracking number {tracking_no}. One moment please.",
    ),
    exchanges=(
        ("Thanks.", "It is at the {hub_en} sorting centre and should arrive within {days} days."),
        ("Can you speed it up?", "I have asked {carrier_en} to prioritise it and will follow up."),
        ("What if it is lost?", "If it is lost we will send a replacement or refund you in full."),
    ),
    notes=(("English-speaking customer, asked {carrier_en} to chase {tracking_no}", ""),),
)  # fmt: skip

RETURNS = Topic(
    key="returns", tag="退货", team="售后组", needs=OrderNeed.DELIVERED, return_kind="return",
    subjects=("Return request", "Refund status"),
    openers=(
        "Hi, I would like to return {product} from order {order_no}.",
        "The {product} I received is faulty. Can I get a refund?",
        "I sent back order {order_no} last week. When will I get my refund?",
    ),
    replies=(
        "Sorry to hear that. Could you send a photo of the problem, please?",
        "Of course. Order {order_no} is still within the 7-day return period.",
    ),
    exchanges=(
        ("Here is the photo.", "Thank you. I have opened a return for you; shipping is on us."),
        ("Where do I send it?", "Please send it to: {return_address}. Put a note with the order "
         "number inside."),
        ("How long does the refund take?", "Once the warehouse checks the item, {refund} yuan "
         "reach your account in 1-3 working days."),
    ),
)  # fmt: skip

INVOICE = Topic(
    key="invoice", tag="发票", team="售后组", needs=OrderNeed.PAID,
    subjects=("Invoice request", "Company invoice (fapiao)"),
    openers=(
        "Hello, I need an invoice (fapiao) for order {order_no}.",
        "Can you issue a VAT invoice to my company for order {order_no}?",
    ),
    replies=("Sure. Please send the company name and tax number.",),
    exchanges=(
        ("Company: {invoice_title}, tax no. {tax_no}",
         "Thanks, the e-invoice will be sent to your e-mail within 1-2 working days."),
        ("Please send it to {email}.", "Noted, it will go to {email}."),
    ),
)  # fmt: skip

PRESALE = Topic(
    key="presale", tag="售前", team="售前组", needs=OrderNeed.NONE,
    subjects=("Question about {product}", "Do you ship abroad?"),
    openers=(
        "Hi, is {product} in stock? I would like it delivered to {city_en}.",
        "Does {product} come with an international warranty?",
        "Do you ship to Hong Kong?",
    ),
    replies=("Hello! Yes, {product} is in stock and ships within 24 hours.",),
    exchanges=(
        ("Any discounts?", "There is a {coupon} yuan coupon on the shop page right now."),
        ("Which courier do you use?", "We ship with SF Express by default."),
    ),
)  # fmt: skip

ENGLISH = Corpus(
    topics=(LOGISTICS, RETURNS, INVOICE, PRESALE),
    bot_greetings=("Hi! I am the {shop} assistant. How can I help you today?",),
    bot_handoffs=("Connecting you to an agent, please wait…",),
    customer_prefixes=("", "Hi, ", "Hello, "),
    agent_prefixes=("",),
    agent_intros=("Hi, this is {agent_en}. Happy to help.",),
    customer_closings=("Thanks!", "OK, thank you.", "Great, thanks a lot."),
    agent_closings=("You're welcome. Anything else I can help with?", "Have a nice day!"),
    department_answers={
        "logistics": ("Chased the carrier, delivery tomorrow",),
        "warehouse": ("Checked, {order_no} leaves the warehouse today",),
        "tech": ("Known issue, a forced restart fixes it",),
    },
    email_customer="Hello,\n\n{body}\n\nBest regards,\n{customer}",
    email_agent="Dear {customer},\n\n{body}\n\nKind regards,\n{agent_en}, {shop} customer service",
)
