/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * IKE on the wire: the header of an IKE datagram (UDP 500, or UDP 4500
 * behind the four zero bytes of the non-ESP marker) and the notify type
 * of its first payload, into a step's gw_ike. Read only for datagrams to
 * or from those ports, so the flood of other traffic pays one compare.
 *
 * Part of core.bpf.h's users (skb.bpf.c); not included alone.
 */
#ifndef GW_IKE_BPF_H
#define GW_IKE_BPF_H

#define GW_IKE_PORT	500
#define GW_IKE_HDR	28	/* SPIs, next payload, version, exchange, flags, id, length */
#define GW_IKEV2_NOTIFY	41	/* payload types of a notify */
#define GW_IKEV1_NOTIFY	11

static __always_inline bool gw_is_ike(const struct gw_tuple *t)
{
	if (t->proto != GW_IPPROTO_UDP)
		return false;
	if (t->sport == bpf_htons(GW_IKE_PORT) || t->dport == bpf_htons(GW_IKE_PORT))
		return true;
	/* 4500 with a zero "SPI": the non-ESP marker, IKE follows. */
	return !t->spi && (t->sport == bpf_htons(GW_NAT_T_PORT) ||
			   t->dport == bpf_htons(GW_NAT_T_PORT));
}

static __always_inline void gw_parse_ike(struct sk_buff *skb, bool at_data, struct gw_event *e,
					 bool direct)
{
	/* UDP header, the non-ESP marker, the IKE header, and the first
	 * payload up to a notify's type (IKEv2 4 + 4 bytes, IKEv1 4 + 8). */
	__u8 b[8 + 4 + GW_IKE_HDR + 12], *h, v;
	__u8 *l3 = gw_l3_ptr(skb, at_data, direct);
	__u32 off, m = 0, udp_len;

	if (bpf_probe_read_kernel(&v, 1, l3))
		return;
	if ((v >> 4) == 4)
		off = (v & 0xf) * 4;
	else if ((v >> 4) == 6)
		off = 40;	/* UDP right after the fixed header, as parsed */
	else
		return;
	if (bpf_probe_read_kernel(b, sizeof(b), l3 + off))
		return;
	if (e->tuple.sport == bpf_htons(GW_NAT_T_PORT) || e->tuple.dport == bpf_htons(GW_NAT_T_PORT))
		m = 4;
	udp_len = (__u32)b[4] << 8 | b[5];
	if (udp_len < 8 + m + GW_IKE_HDR)
		return;		/* too short for IKE: not one */
	h = m ? &b[12] : &b[8];
	__builtin_memcpy(e->ike.spi_i, &h[0], 8);
	__builtin_memcpy(e->ike.spi_r, &h[8], 8);
	e->ike.next_payload = h[16];
	e->ike.version = h[17];
	e->ike.exchange = h[18];
	e->ike.flags = h[19];
	__builtin_memcpy(&e->ike.msg_id, &h[20], 4);
	if ((h[17] >> 4) == 2 && h[16] == GW_IKEV2_NOTIFY && udp_len >= 8 + m + GW_IKE_HDR + 8)
		e->ike.notify = (__u16)h[GW_IKE_HDR + 6] << 8 | h[GW_IKE_HDR + 7];
	else if ((h[17] >> 4) == 1 && h[16] == GW_IKEV1_NOTIFY &&
		 udp_len >= 8 + m + GW_IKE_HDR + 12)
		e->ike.notify = (__u16)h[GW_IKE_HDR + 10] << 8 | h[GW_IKE_HDR + 11];
	e->ike.present = 1;
}

#endif /* GW_IKE_BPF_H */
