"""Routing (智能分流): queues by skill, agents' skills, tiers, presence and capacity, assignment."""
