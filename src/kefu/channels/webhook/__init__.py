"""The IM / social webhook channel: signed inbound events, signed outbound deliveries."""
